"""The Switch-style load-balancing loss, and collecting it from a whole model."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["collect_aux_loss", "load_balancing_loss"]


def load_balancing_loss(probs: Tensor, counts: Tensor) -> Tensor:
    """``E * sum_e f_e * P_e`` (Switch Transformer eq. 4, as Mixtral applies it to top-k).

    ``f_e`` is the number of routing slots (token, choice) that went to expert ``e`` divided
    by the number of tokens, so the ``f_e`` sum to ``top_k``; ``P_e`` is the mean router
    probability of ``e``. It is ``top_k`` for perfectly uniform routing and grows as the
    load concentrates. Gradients reach the router through ``P_e`` (``f_e`` is a count).

    Args:
        probs: router probabilities ``[T, E]``.
        counts: routing slots per expert ``[E]``.
    """
    num_tokens, num_experts = probs.shape
    fraction = counts.to(probs.dtype) / max(num_tokens, 1)  # [E]
    mean_prob = probs.mean(dim=0)  # [E]
    return num_experts * torch.sum(fraction * mean_prob)


def collect_aux_loss(model: nn.Module) -> Tensor | None:
    """Sum of the ``aux_loss`` every MoE layer of ``model`` set in its last forward.

    The trainer adds this to the language-modelling loss. Returns ``None`` when the model
    has no MoE layer (or none has run yet).
    """
    total: Tensor | None = None
    for module in model.modules():
        loss = getattr(module, "aux_loss", None)
        if isinstance(loss, Tensor):
            total = loss if total is None else total + loss
    return total
