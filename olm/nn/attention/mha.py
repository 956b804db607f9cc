"""`MultiHeadAttention` and `MultiHeadAttentionwithRoPE`: attention with explicit softmax."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from olm.nn.attention._kernels import manual_attention
from olm.nn.attention.base import AttentionBase, AttentionwithRoPEBase

__all__ = ["MultiHeadAttention", "MultiHeadAttentionwithRoPE"]


class MultiHeadAttention(AttentionBase):
    """Standard multi-head attention (GPT-2) with the probabilities computed explicitly.

    Same maths as `FlashAttention`; this one materialises ``softmax(q k^T / sqrt(hd))``,
    which is easier to read and to inspect. Biases on all projections.

    Args:
        embed_dims (int): model width D (divisible by num_heads).
        num_heads (int): number of heads H.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        causal (bool): each token attends only to itself and earlier tokens. Default: False.
    """

    family = "attention"

    def __init__(
        self, embed_dims: int, num_heads: int, dropout: float = 0.0, causal: bool = False
    ) -> None:
        super().__init__(embed_dims, num_heads, dropout, bias=True)
        self.causal = bool(causal)

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        return manual_attention(q, k, v, mask, is_causal, self.scale, self.dropout_p)


class MultiHeadAttentionwithRoPE(AttentionwithRoPEBase):
    """`MultiHeadAttention` with rotary positions on queries and keys.

    Args:
        embed_dims (int): model width D (divisible by num_heads).
        num_heads (int): number of heads H.
        max_seq_len (int): the longest sequence the model is meant for.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        causal (bool): each token attends only to itself and earlier tokens. Default: False.
        bias (bool): biases on all four projections. Default: True.
        rope_theta (float): RoPE base. Default: 10000.0.
        rope_scaling (dict | None): Hugging Face style RoPE scaling. Default: None.
    """

    family = "attention"

    def __init__(
        self,
        embed_dims: int,
        num_heads: int,
        max_seq_len: int,
        dropout: float = 0.0,
        causal: bool = False,
        bias: bool = True,
        rope_theta: float = 10000.0,
        rope_scaling: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            embed_dims, num_heads, max_seq_len, dropout, bias, rope_theta, rope_scaling
        )
        self.causal = bool(causal)

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        return manual_attention(q, k, v, mask, is_causal, self.scale, self.dropout_p)
