"""`FlashAttention` and `FlashAttentionwithRoPE`: attention through PyTorch's fused SDPA."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from olm.nn.attention._kernels import manual_attention, sdpa_attention
from olm.nn.attention.base import AttentionBase, AttentionwithRoPEBase

__all__ = ["FlashAttention", "FlashAttentionwithRoPE"]


def _compute(
    layer: AttentionBase, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, is_causal: bool
) -> Tensor:
    """SDPA, or the explicit softmax when the layer was built with ``use_flash_attn=False``."""
    if layer.use_flash_attn is False:
        return manual_attention(q, k, v, mask, is_causal, layer.scale, layer.dropout_p)
    return sdpa_attention(q, k, v, mask, is_causal, layer.scale, layer.dropout_p)


class FlashAttention(AttentionBase):
    """Multi-head attention computed by ``F.scaled_dot_product_attention``.

    Exactly the maths of `MultiHeadAttention`, but PyTorch picks a fused kernel
    (FlashAttention on recent GPUs) that never materialises the score matrix.

    Args:
        embed_dim (int): model width D (divisible by num_heads).
        num_heads (int): number of heads H.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        causal (bool): each token attends only to itself and earlier tokens. Default: False.
        use_flash_attn (bool | None): False forces the explicit-softmax path; None or True
            use SDPA. Default: None.
    """

    family = "attention"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        causal: bool = False,
        use_flash_attn: bool | None = None,
    ) -> None:
        super().__init__(embed_dim, num_heads, dropout, bias=True)
        self.causal = bool(causal)
        self.use_flash_attn = use_flash_attn

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        return _compute(self, q, k, v, mask, is_causal)


class FlashAttentionwithRoPE(AttentionwithRoPEBase):
    """`FlashAttention` with rotary positions on queries and keys.

    Args:
        embed_dim (int): model width D (divisible by num_heads).
        num_heads (int): number of heads H.
        max_seq_len (int): the longest sequence the model is meant for.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        causal (bool): each token attends only to itself and earlier tokens. Default: False.
        bias (bool): biases on all four projections. Default: True.
        rope_theta (float): RoPE base. Default: 10000.0.
        use_flash_attn (bool | None): False forces the explicit-softmax path. Default: None.
        rope_scaling (dict | None): Hugging Face style RoPE scaling. Default: None.
    """

    family = "attention"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        max_seq_len: int,
        dropout: float = 0.0,
        causal: bool = False,
        bias: bool = True,
        rope_theta: float = 10000.0,
        use_flash_attn: bool | None = None,
        rope_scaling: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(embed_dim, num_heads, max_seq_len, dropout, bias, rope_theta, rope_scaling)
        self.causal = bool(causal)
        self.use_flash_attn = use_flash_attn

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        return _compute(self, q, k, v, mask, is_causal)
