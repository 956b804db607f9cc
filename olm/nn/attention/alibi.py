"""`MultiHeadAttentionwithALiBi`: attention with linear distance biases instead of positions."""

from __future__ import annotations

import torch
from torch import Tensor

from olm.nn.attention._kernels import sdpa_attention
from olm.nn.attention.base import AttentionBase
from olm.nn.embeddings.alibi import ALiBiPositionalBias

__all__ = ["MultiHeadAttentionwithALiBi"]


class MultiHeadAttentionwithALiBi(AttentionBase):
    """Multi-head attention whose scores get ``-m_h * |i - j|`` (ALiBi, arXiv:2108.12409).

    No positional embedding is needed anywhere in the model (MPT, BLOOM). A given mask
    is ANDed with causal. With a KV cache the queries sit after the cached keys.

    Args:
        embed_dim (int): model width D (divisible by num_heads).
        num_heads (int): number of heads H.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        bias (bool): biases on all four projections. Default: False.
        causal (bool): each token attends only to itself and earlier tokens. Default: True.
        max_seq_len (int): the longest sequence the model is meant for. Default: 2048.
    """

    family = "attention"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = False,
        causal: bool = True,
        max_seq_len: int = 2048,
    ) -> None:
        super().__init__(embed_dim, num_heads, dropout, bias)
        self.causal = bool(causal)
        self.max_seq_len = max_seq_len
        self.alibi = ALiBiPositionalBias(num_heads, max_seq_len)

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        n, nk = q.shape[-2], k.shape[-2]
        bias = self.alibi(n, nk, device=q.device).to(q.dtype)  # [1, H, N, Nk]
        if is_causal:
            bias = bias.masked_fill(
                ~q.new_ones(n, nk, dtype=torch.bool).tril(nk - n), float("-inf")
            )
        elif mask is not None:
            bias = (
                bias.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else bias + mask
            )
        return sdpa_attention(q, k, v, bias, False, self.scale, self.dropout_p)
