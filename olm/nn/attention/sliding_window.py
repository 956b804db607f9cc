"""`SlidingWindowAttention`: grouped-query attention that sees only the last window of tokens."""

from __future__ import annotations

from typing import Any

from olm.nn.attention.gqa import GroupedQueryAttention
from olm.nn.embeddings.base import require_positive

__all__ = ["SlidingWindowAttention"]


class SlidingWindowAttention(GroupedQueryAttention):
    """Causal GQA where query i sees key j only if ``j <= i`` and ``i - j < window_size``.

    Mistral and Gemma 2's local layers: cost grows with the window, not the sequence.

    Args:
        embed_dim (int): model width D.
        num_heads (int): number of query heads H.
        num_kv_heads (int): number of key/value heads (divides num_heads).
        max_seq_len (int): the longest sequence the model is meant for.
        window_size (int): how many tokens (including itself) each query sees. Default: 512.
        head_dim (int | None): size of each head; None means embed_dim // num_heads.
            Default: None.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        rope_theta (float): RoPE base. Default: 10000.0.
        use_qk_norm (bool): RMSNorm over each query/key head before RoPE. Default: False.
        rms_norm_eps (float): epsilon of the QK-norm. Default: 1e-6.
        use_bias (bool): bias on the output projection. Default: False.
        qkv_bias (bool): biases on the q/k/v projections. Default: False.
        use_rope (bool): rotate queries and keys. Default: True.
        partial_rotary_factor (float): fraction of each head that is rotated. Default: 1.0.
        use_attention_sink (bool): a learned per-head "attend to nothing" logit.
            Default: False.
        rope_scaling (dict | None): Hugging Face style RoPE scaling. Default: None.
    """

    family = "attention"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        num_kv_heads: int,
        max_seq_len: int,
        window_size: int = 512,
        head_dim: int | None = None,
        dropout: float = 0.0,
        rope_theta: float = 10000.0,
        use_qk_norm: bool = False,
        rms_norm_eps: float = 1e-6,
        use_bias: bool = False,
        qkv_bias: bool = False,
        use_rope: bool = True,
        partial_rotary_factor: float = 1.0,
        use_attention_sink: bool = False,
        rope_scaling: dict[str, Any] | None = None,
    ) -> None:
        require_positive("window_size", window_size)  # name the argument the user gave
        super().__init__(
            embed_dim,
            num_heads,
            num_kv_heads,
            max_seq_len,
            head_dim=head_dim,
            dropout=dropout,
            rope_theta=rope_theta,
            use_bias=use_bias,
            qkv_bias=qkv_bias,
            use_qk_norm=use_qk_norm,
            rms_norm_eps=rms_norm_eps,
            use_rope=use_rope,
            partial_rotary_factor=partial_rotary_factor,
            use_attention_sink=use_attention_sink,
            sliding_window=window_size,
            rope_scaling=rope_scaling,
        )
        self.window_size = window_size
