"""Optimizers: AdamW with weight decay only where it belongs, fused where it can be."""

from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

__all__ = ["AdamW", "OptimizerBase", "param_groups"]

_TORCH = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2])


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Two groups: matrices decay; vectors (norm gains, biases) and scalars do not.

    Shared parameters (a tied embedding/head) appear once.
    """
    decay, no_decay = [], []
    for p in model.parameters():  # parameters() already yields each shared tensor once
        if not p.requires_grad:
            continue
        (decay if p.dim() >= 2 else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return groups


def _fused_default(params: list) -> bool | None:
    """The fused kernel (one pass over all tensors) on CUDA and CPU; torch's choice elsewhere.

    torch has a fused CPU AdamW since 2.4; it replaces a Python loop over parameters,
    which is most of the optimizer's time for small models.
    """
    tensors = [p for g in params for p in (g["params"] if isinstance(g, dict) else [g])]
    if not tensors or not all(isinstance(p, torch.Tensor) and p.is_floating_point() for p in tensors):
        return None
    devices = {p.device.type for p in tensors}
    if devices == {"cuda"} or (devices == {"cpu"} and _TORCH >= (2, 4)):
        return True
    return None


class OptimizerBase(torch.optim.Optimizer):
    """Base of the optimizers written here (Lion): a ``torch.optim.Optimizer``.

    It exists so code can tell olm's own optimizers from torch's, and so each subclass
    only writes ``step``; state, groups, ``zero_grad`` and ``state_dict`` come from torch,
    which keeps checkpoints and schedulers working unchanged.

    Args:
        params: parameters or parameter groups.
        defaults (dict): the per-group defaults (``lr`` and the rest).
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        super().__init__(params, defaults)


class AdamW(torch.optim.AdamW):
    """``torch.optim.AdamW`` that turns on the fused kernel where torch has one (CUDA, CPU).

    Args:
        params: parameters or parameter groups.
        lr (float): learning rate.
        betas (tuple[float, float]): moment decay rates.
        eps (float): denominator term.
        weight_decay (float): decoupled weight decay.
        amsgrad (bool): use the AMSGrad variant.
        maximize (bool): maximise instead of minimise.
        fused (bool | None): force the fused kernel on/off; None picks it on CUDA and CPU.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        maximize: bool = False,
        fused: bool | None = None,
    ) -> None:
        params = list(params)
        if fused is None:
            fused = _fused_default(params)
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            amsgrad=amsgrad, maximize=maximize, fused=fused,
        )
