"""The two ways attention scores are computed: fused SDPA and an explicit softmax.

SDPA (``F.scaled_dot_product_attention``) picks flash / memory-efficient kernels where it
can. The explicit path exists for what SDPA cannot express (logit soft-capping,
attention sinks) and for `MultiHeadAttention`, whose probabilities are materialised.
Inputs: ``q [B, H, N, hd]``, ``k, v [B, KV, Nk, hd]`` with ``H % KV == 0``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["expand_kv", "manual_attention", "sdpa_attention"]

_TORCH = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])
SDPA_HAS_GQA = _TORCH >= (2, 5)  # `enable_gqa=` appeared in torch 2.5


def expand_kv(x: Tensor, groups: int) -> Tensor:
    """``[B, KV, N, hd] -> [B, KV*groups, N, hd]``: KV head j serves query heads j*G..j*G+G-1."""
    return x if groups == 1 else x.repeat_interleave(groups, dim=1)


def _as_mask_for(mask: Tensor | None, q: Tensor) -> Tensor | None:
    if mask is not None and mask.is_floating_point() and mask.dtype != q.dtype:
        return mask.to(q.dtype)
    return mask


def sdpa_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None,
    is_causal: bool,
    scale: float,
    dropout_p: float,
) -> Tensor:
    """Attention through ``F.scaled_dot_product_attention``; returns ``[B, H, N, hd]``."""
    groups = q.shape[1] // k.shape[1]
    kwargs = {}
    if groups > 1:
        if mask is None and SDPA_HAS_GQA:
            kwargs["enable_gqa"] = True  # flash kernels read shared KV heads directly
        else:
            k, v = expand_kv(k, groups), expand_kv(v, groups)
    return F.scaled_dot_product_attention(
        q,
        k,
        v,
        attn_mask=_as_mask_for(mask, q),
        dropout_p=dropout_p,
        is_causal=is_causal,
        scale=scale,
        **kwargs,
    )


def manual_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None,
    is_causal: bool,
    scale: float,
    dropout_p: float,
    softcap: float | None = None,
    sink: Tensor | None = None,
) -> Tensor:
    """Explicit ``softmax(q k^T * scale) v`` (softmax in float32, like HF's eager path).

    Args:
        softcap: if set, scores become ``tanh(s / softcap) * softcap`` before masking
            (Gemma 2).
        sink: ``[H]`` learned logits of an extra "attend to nothing" column with a zero
            value vector (attention sinks, gpt-oss).
    """
    groups = q.shape[1] // k.shape[1]
    k, v = expand_kv(k, groups), expand_kv(v, groups)
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale  # [B, H, N, Nk]
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    if is_causal:
        n, nk = scores.shape[-2:]
        mask = torch.ones(n, nk, dtype=torch.bool, device=q.device).tril(nk - n)
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.to(scores.dtype)
    if sink is not None:
        column = sink.to(scores.dtype).view(1, -1, 1, 1).expand(*scores.shape[:-1], 1)
        scores = torch.cat((scores, column), dim=-1)
    probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    if sink is not None:
        probs = probs[..., :-1]
    if dropout_p > 0:
        probs = F.dropout(probs, p=dropout_p)
    return torch.matmul(probs, v)
