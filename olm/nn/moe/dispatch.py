"""Sparse expert dispatch: each expert computes only the tokens routed to it."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

__all__ = ["dispatch_sparse"]


def _dispatch_meta(x: Tensor, experts: nn.ModuleList, top_k: int) -> Tensor:
    # Routing is unknowable on the meta device; run every expert on an average share of
    # the tokens so shape inference and FLOP-counting hooks still see each expert.
    share = max(1, math.ceil(x.shape[0] * top_k / len(experts)))
    for expert in experts:
        expert(x[:share])
    return torch.empty_like(x)


def dispatch_sparse(
    x: Tensor, indices: Tensor, weights: Tensor, experts: nn.ModuleList, counts: Tensor
) -> Tensor:
    """``out[t] = sum_j weights[t, j] * experts[indices[t, j]](x[t])``, computed sparsely.

    The ``T * k`` routing slots are sorted by expert once; expert ``e`` then runs on its
    contiguous slice of token ids only, and its weighted output is scattered back with
    ``index_add_``. Experts with no tokens are never called.

    Args:
        x: tokens ``[T, D]``.
        indices: chosen experts ``[T, k]`` (long).
        weights: routing weights ``[T, k]``.
        experts: the ``E`` expert modules.
        counts: routing slots per expert ``[E]`` (``bincount`` of ``indices``).

    Returns:
        ``[T, D]`` in ``x``'s dtype.
    """
    top_k = indices.shape[-1]
    if x.device.type == "meta":
        return _dispatch_meta(x, experts, top_k)
    order = torch.argsort(indices.reshape(-1), stable=True)  # [T*k] slots grouped by expert
    token_of_slot = order // top_k  # [T*k] token id of each sorted slot
    weight_of_slot = weights.reshape(-1)[order].unsqueeze(-1)  # [T*k, 1]
    out = torch.zeros_like(x)
    start = 0
    for expert, count in zip(experts, counts.tolist()):
        if count == 0:
            continue
        tokens = token_of_slot[start : start + count]  # [n]
        y = expert(x[tokens]) * weight_of_slot[start : start + count]  # [n, D]
        out.index_add_(0, tokens, y.to(out.dtype))
        start += count
    return out
