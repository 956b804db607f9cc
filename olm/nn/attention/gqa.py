"""`GroupedQueryAttention`: query heads share key/value heads (MQA ... MHA), Llama 2/3 style."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.nn.attention._kernels import manual_attention, sdpa_attention
from olm.nn.attention.base import AttentionBase
from olm.nn.embeddings.base import require_positive
from olm.nn.embeddings.partial_rotary import rotary_dim_for
from olm.nn.embeddings.rope_config import rope_from_config
from olm.nn.norms import RMSNorm

__all__ = ["GroupedQueryAttention"]


def _positive_or_none(name: str, value: Any) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0
    ):
        raise ConfigError(f"{name} must be a positive number or None, got {value!r}")


def _across_heads(norm: nn.Module, x: Tensor) -> Tensor:
    """Apply ``norm`` over all heads at once: ``[B, H, N, hd] -> [B, N, H*hd] -> back``."""
    b, h, n, d = x.shape
    return norm(x.transpose(1, 2).reshape(b, n, h * d)).view(b, n, h, d).transpose(1, 2)


class GroupedQueryAttention(AttentionBase):
    """Causal grouped-query attention (GQA, arXiv:2305.13245) with RoPE built in.

    ``num_kv_heads`` key/value heads each serve ``num_heads / num_kv_heads`` query heads:
    1 is multi-query attention, ``num_heads`` is plain multi-head attention. Always causal;
    a given mask is ANDed with causal. Runs through ``F.scaled_dot_product_attention``
    unless soft-capping or attention sinks need the explicit softmax.

    Args:
        embed_dim (int): model width D.
        num_heads (int): number of query heads H.
        num_kv_heads (int): number of key/value heads (divides num_heads).
        max_seq_len (int): the longest sequence the model is meant for.
        head_dim (int | None): size of each head; None means embed_dim // num_heads.
            Default: None.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        rope_theta (float): RoPE base (Llama 3: 500000). Default: 10000.0.
        use_bias (bool): bias on the output projection. Default: False.
        qkv_bias (bool): biases on the q/k/v projections (Qwen 2). Default: False.
        use_qk_norm (bool): RMSNorm over each query/key head before RoPE. Default: False.
        rms_norm_eps (float): epsilon of the QK-norm. Default: 1e-6.
        attention_scale (float | None): score scale; None means head_dim ** -0.5
            (Gemma 2 uses query_pre_attn_scalar ** -0.5). Default: None.
        attn_logit_softcap (float | None): scores become tanh(s / c) * c (Gemma 2).
            Default: None.
        use_rope (bool): rotate queries and keys. Default: True.
        partial_rotary_factor (float): fraction of each head that is rotated, in (0, 1].
            Default: 1.0.
        use_attention_sink (bool): a learned per-head "attend to nothing" logit.
            Default: False.
        sliding_window (int | None): query i sees key j only if i - j < sliding_window
            (Mistral, Gemma 2). Default: None.
        rope_scaling (dict | None): Hugging Face style RoPE scaling, e.g. Llama 3.1's
            ``{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}``.
            Default: None.
        qk_norm_per_head (bool): with ``use_qk_norm``, one RMSNorm shared by every head
            (Qwen 3, Gemma 3); False normalises all heads' queries (keys) together, with
            a gain per channel (OLMo 2). Default: True.
    """

    family = "attention"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        num_kv_heads: int,
        max_seq_len: int,
        head_dim: int | None = None,
        dropout: float = 0.0,
        rope_theta: float = 10000.0,
        use_bias: bool = False,
        qkv_bias: bool = False,
        use_qk_norm: bool = False,
        rms_norm_eps: float = 1e-6,
        attention_scale: float | None = None,
        attn_logit_softcap: float | None = None,
        use_rope: bool = True,
        partial_rotary_factor: float = 1.0,
        use_attention_sink: bool = False,
        sliding_window: int | None = None,
        rope_scaling: dict[str, Any] | None = None,
        qk_norm_per_head: bool = True,
    ) -> None:
        super().__init__(
            embed_dim,
            num_heads,
            dropout,
            bias=use_bias,
            num_kv_heads=num_kv_heads,
            head_dim=head_dim,
            qkv_bias=qkv_bias,
        )
        require_positive("max_seq_len", max_seq_len)
        _positive_or_none("attention_scale", attention_scale)
        _positive_or_none("attn_logit_softcap", attn_logit_softcap)
        _positive_or_none("rms_norm_eps", rms_norm_eps)
        if sliding_window is not None:
            require_positive("sliding_window", sliding_window)
        rotary_dim_for(self.head_dim, partial_rotary_factor, "partial_rotary_factor")
        self.max_seq_len = max_seq_len
        self.causal = True
        self.sliding_window = sliding_window
        self.use_qk_norm = bool(use_qk_norm)
        self.attn_logit_softcap = attn_logit_softcap
        if attention_scale is not None:
            self.scale = float(attention_scale)
        self.qk_norm_per_head = bool(qk_norm_per_head)
        if self.use_qk_norm:
            q_width = self.head_dim if self.qk_norm_per_head else self.q_dim
            k_width = self.head_dim if self.qk_norm_per_head else self.kv_dim
            self.q_norm = RMSNorm(q_width, eps=rms_norm_eps)
            self.k_norm = RMSNorm(k_width, eps=rms_norm_eps)
        if use_rope:
            self.rope = rope_from_config(
                self.head_dim, max_seq_len, rope_theta, rope_scaling, partial_rotary_factor
            )
        self.attention_sink = nn.Parameter(torch.zeros(num_heads)) if use_attention_sink else None

    def _prepare_qk(self, q: Tensor, k: Tensor, offset: int) -> tuple[Tensor, Tensor]:
        if self.use_qk_norm and self.qk_norm_per_head:
            q, k = self.q_norm(q), self.k_norm(k)
        elif self.use_qk_norm:
            q, k = _across_heads(self.q_norm, q), _across_heads(self.k_norm, k)
        return super()._prepare_qk(q, k, offset)

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        if self.attn_logit_softcap is not None or self.attention_sink is not None:
            return manual_attention(
                q,
                k,
                v,
                mask,
                is_causal,
                self.scale,
                self.dropout_p,
                softcap=self.attn_logit_softcap,
                sink=self.attention_sink,
            )
        return sdpa_attention(q, k, v, mask, is_causal, self.scale, self.dropout_p)

    def extra_repr(self) -> str:
        window = "" if self.sliding_window is None else f", sliding_window={self.sliding_window}"
        return super().extra_repr() + window
