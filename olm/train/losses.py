"""Losses: next-token cross-entropy and its relatives, as small modules."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.core.registry import LOSSES

__all__ = ["LossBase", "CrossEntropyLoss", "KLLoss", "MaskedCELoss", "ZLoss"]


class LossBase(nn.Module):
    """A loss ``forward(logits [B, N, V], labels [B, N]) -> scalar``."""

    def forward(self, logits: Tensor, labels: Tensor) -> Tensor:  # pragma: no cover
        raise NotImplementedError


@LOSSES.register("cross_entropy")
class CrossEntropyLoss(LossBase):
    """Token-level cross-entropy over flattened logits; label -100 is ignored.

    Args:
        reduction (str): "mean", "sum" or "none", as in ``F.cross_entropy``.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, logits: Tensor, labels: Tensor) -> Tensor:
        # fp32 logits for the softmax: bf16 log-sum-exp loses digits the loss curve shows
        return F.cross_entropy(
            logits.reshape(-1, logits.size(-1)).float(),
            labels.reshape(-1),
            ignore_index=-100,
            reduction=self.reduction,
        )


@LOSSES.register("z_loss")
class ZLoss(LossBase):
    """Cross-entropy plus ``coef * mean(logsumexp(logits)^2)`` (PaLM's logit drift guard).

    Args:
        coef (float): weight of the z term.
    """

    def __init__(self, coef: float = 1e-4) -> None:
        super().__init__()
        self.coef = coef

    def forward(self, logits: Tensor, labels: Tensor) -> Tensor:
        flat = logits.reshape(-1, logits.size(-1)).float()
        ce = F.cross_entropy(flat, labels.reshape(-1), ignore_index=-100)
        return ce + self.coef * flat.logsumexp(-1).pow(2).mean()


@LOSSES.register("masked_cross_entropy")
class MaskedCELoss(LossBase):
    """Cross-entropy averaged over the positions where ``mask`` is nonzero.

    For supervised fine-tuning, where only the answer tokens should teach the model:
    ``forward(logits, labels, mask)`` with ``mask [B, N]`` (1 = counts, 0 = ignored).
    Without a mask it is plain cross-entropy (label -100 still ignored). A batch whose
    mask is all zero gives a loss of 0 (with a gradient of 0), not NaN.

    Args:
        reduction (str): "mean" over counted positions, "sum" of them, or "none" (the
            per-position losses ``[B, N]``, zero where masked).
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ConfigError(f"MaskedCELoss reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction

    def forward(self, logits: Tensor, labels: Tensor, mask: Tensor | None = None) -> Tensor:
        per = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), labels.reshape(-1),
                              ignore_index=-100, reduction="none").view(labels.shape)
        keep = labels != -100
        if mask is not None:
            if mask.shape != labels.shape:
                raise ConfigError(f"MaskedCELoss: mask shape {tuple(mask.shape)} must equal "
                                  f"labels shape {tuple(labels.shape)}")
            keep = keep & (mask != 0)
        per = per * keep
        if self.reduction == "none":
            return per
        if self.reduction == "sum":
            return per.sum()
        return per.sum() / keep.sum().clamp_min(1)


@LOSSES.register("kl_div")
class KLLoss(LossBase):
    """KL(teacher || student) per token, for distillation: ``forward(logits, target_logits)``.

    Both are raw logits ``[..., V]``; a softmax temperature ``T`` softens both and the
    loss is scaled by ``T**2`` so its gradient keeps the same size as T changes (Hinton
    et al. 2015). Averaged over tokens (``batchmean`` over the flattened positions), which
    is the true KL divergence, unlike ``F.kl_div``'s default elementwise mean.

    Args:
        temperature (float): softmax temperature (> 0).
        reduction (str): "batchmean" (mean over tokens), "sum", or "none" (per token).
    """

    def __init__(self, temperature: float = 1.0, reduction: str = "batchmean") -> None:
        super().__init__()
        if not temperature > 0:
            raise ConfigError(f"KLLoss temperature must be > 0, got {temperature}")
        if reduction not in ("batchmean", "sum", "none"):
            raise ConfigError(f"KLLoss reduction must be 'batchmean', 'sum' or 'none', got {reduction!r}")
        self.temperature = temperature
        self.reduction = reduction

    def forward(self, logits: Tensor, target_logits: Tensor) -> Tensor:
        if logits.shape != target_logits.shape:
            raise ConfigError(f"KLLoss: logits {tuple(logits.shape)} and target_logits "
                              f"{tuple(target_logits.shape)} must have the same shape")
        t = self.temperature
        log_p = torch.log_softmax(logits.float() / t, dim=-1)
        log_q = torch.log_softmax(target_logits.float() / t, dim=-1)
        per = (log_q.exp() * (log_q - log_p)).sum(-1) * (t * t)
        if self.reduction == "none":
            return per
        if self.reduction == "sum":
            return per.sum()
        return per.mean()
