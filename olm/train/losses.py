"""Losses: next-token cross-entropy and its relatives, as small modules."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.registry import LOSSES

__all__ = ["LossBase", "CrossEntropyLoss", "ZLoss"]


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
