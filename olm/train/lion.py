"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").

Lion keeps one moment instead of Adam's two and moves every weight by the same amount
(the sign of an interpolated momentum), so it needs half of AdamW's optimizer memory.
Because its updates are larger per element, it wants a learning rate 3-10x smaller than
AdamW's and a correspondingly larger weight decay.
"""

from __future__ import annotations

import importlib.util
from typing import Callable, Iterable

import torch

from olm.core.errors import ConfigError
from olm.train.optim import OptimizerBase

__all__ = ["Lion"]


def _check_triton() -> None:
    if importlib.util.find_spec("triton") is None or not torch.cuda.is_available():
        raise ConfigError("Lion(use_triton=True) needs the triton package and a CUDA GPU, "
                          "which this machine lacks; use use_triton=False")


class Lion(OptimizerBase):
    """Sign-of-momentum updates with decoupled weight decay.

    One step, per parameter ``p`` with gradient ``g`` and moment ``m``::

        p <- p * (1 - lr * weight_decay)
        p <- p - lr * sign(beta1 * m + (1 - beta1) * g)
        m <- beta2 * m + (1 - beta2) * g

    Args:
        params: parameters or parameter groups.
        lr (float): learning rate (> 0).
        betas (tuple[float, float]): interpolation rate of the update, decay of the moment;
            each in [0, 1).
        weight_decay (float): decoupled weight decay (>= 0).
        use_triton (bool): ask for the fused GPU path; raises ConfigError where triton or
            CUDA is missing. Where present, the update is the same torch arithmetic, as
            no separate triton kernel is shipped.
    """

    def __init__(self, params: Iterable, lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.99),
                 weight_decay: float = 0.0, use_triton: bool = False) -> None:
        if not lr > 0:
            raise ConfigError(f"Lion lr must be > 0, got {lr}")
        if not all(0.0 <= b < 1.0 for b in betas) or len(betas) != 2:
            raise ConfigError(f"Lion betas must be two numbers in [0, 1), got {betas}")
        if weight_decay < 0:
            raise ConfigError(f"Lion weight_decay must be >= 0, got {weight_decay}")
        if use_triton:
            _check_triton()
        self.use_triton = use_triton
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if "exp_avg" not in state:
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                m = state["exp_avg"]
                if wd:
                    p.mul_(1.0 - lr * wd)
                update = m.mul(beta1).add_(g, alpha=1.0 - beta1).sign_()
                p.add_(update, alpha=-lr)
                m.mul_(beta2).add_(g, alpha=1.0 - beta2)
        return loss
