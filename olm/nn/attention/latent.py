"""`MultiHeadLatentAttention`: DeepSeek-V2/V3's attention with a compressed key/value cache.

Keys and values are not projected per head from the token; a small latent vector
``c = RMSNorm(W_a x)`` (``kv_lora_rank`` wide) is, plus one shared rotary key part. Each
head's key and value are expanded from the latent by ``kv_b_proj``. Decoding therefore
caches only ``kv_lora_rank + qk_rope_head_dim`` numbers per token and layer, against
``2 * num_kv_heads * head_dim`` for GQA (DeepSeek-V2, arXiv:2405.04434).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.nn.attention._kernels import sdpa_attention
from olm.nn.attention.base import check_dropout
from olm.nn.attention.kv_cache import KVCache
from olm.nn.attention.masks import build_attention_mask
from olm.nn.embeddings.absolute import check_tokens
from olm.nn.embeddings.base import require_positive
from olm.nn.embeddings.rope_config import rope_from_config
from olm.nn.norms import RMSNorm

__all__ = ["MultiHeadLatentAttention"]


class MultiHeadLatentAttention(Component):
    """Multi-head latent attention (MLA, DeepSeek-V2 2024): low-rank KV with a decoupled RoPE key.

    Queries come from ``q_proj`` (or, with ``q_lora_rank``, from a low-rank
    ``q_b(RMSNorm(q_a(x)))``) and split per head into a part without positions
    (``qk_nope_head_dim``) and a rotated part (``qk_rope_head_dim``). Keys/values share one
    latent ``RMSNorm(kv_a(x))`` that ``kv_b_proj`` expands per head, and one rotated key
    part shared by all heads. The KV cache stores the latent and the rotated key only.

    Args:
        embed_dim (int): model width D.
        num_heads (int): attention heads H.
        max_seq_len (int): the longest sequence the model is meant for.
        kv_lora_rank (int): width of the compressed key/value latent (DeepSeek-V3: 512).
        qk_nope_head_dim (int): per-head query/key width without positions. Default: 128.
        qk_rope_head_dim (int): per-head query/key width that RoPE rotates. Default: 64.
        v_head_dim (int): per-head value width. Default: 128.
        q_lora_rank (int | None): rank of the low-rank query projection; None projects
            queries directly (DeepSeek-V2-Lite). Default: None.
        rope_theta (float): RoPE base. Default: 10000.0.
        rope_scaling (dict | None): Hugging Face style RoPE scaling. Default: None.
        attention_scale (float | None): score scale; None means
            ``(qk_nope_head_dim + qk_rope_head_dim) ** -0.5``. Default: None.
        rms_norm_eps (float): epsilon of the latent norms. Default: 1e-6.
        use_bias (bool): biases on the down-projections and the output. Default: False.
        dropout (float): dropout on attention probabilities. Default: 0.0.
    """

    family = "attention"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        max_seq_len: int,
        kv_lora_rank: int,
        qk_nope_head_dim: int = 128,
        qk_rope_head_dim: int = 64,
        v_head_dim: int = 128,
        q_lora_rank: int | None = None,
        rope_theta: float = 10000.0,
        rope_scaling: dict[str, Any] | None = None,
        attention_scale: float | None = None,
        rms_norm_eps: float = 1e-6,
        use_bias: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        for name, value in (
            ("embed_dim", embed_dim), ("num_heads", num_heads), ("max_seq_len", max_seq_len),
            ("kv_lora_rank", kv_lora_rank), ("qk_nope_head_dim", qk_nope_head_dim),
            ("qk_rope_head_dim", qk_rope_head_dim), ("v_head_dim", v_head_dim),
        ):
            require_positive(name, value)
        if q_lora_rank is not None:
            require_positive("q_lora_rank", q_lora_rank)
        if attention_scale is not None and (
            isinstance(attention_scale, bool)
            or not isinstance(attention_scale, (int, float))
            or not 0 < attention_scale < float("inf")
        ):
            raise ConfigError(f"attention_scale must be a positive number, got {attention_scale!r}")
        check_dropout(dropout)
        self.embed_dim, self.num_heads, self.max_seq_len = embed_dim, num_heads, max_seq_len
        self.kv_lora_rank, self.q_lora_rank = kv_lora_rank, q_lora_rank
        self.nope_dim, self.rope_dim, self.v_dim = qk_nope_head_dim, qk_rope_head_dim, v_head_dim
        self.qk_dim = qk_nope_head_dim + qk_rope_head_dim
        self.scale = float(attention_scale) if attention_scale is not None else self.qk_dim**-0.5
        self.causal = True
        self.sliding_window: int | None = None
        self.dropout = nn.Dropout(dropout)
        q_out = num_heads * self.qk_dim
        if q_lora_rank is None:
            self.q_proj = nn.Linear(embed_dim, q_out, bias=False)
        else:
            self.q_a_proj = nn.Linear(embed_dim, q_lora_rank, bias=use_bias)
            self.q_a_norm = RMSNorm(q_lora_rank, eps=rms_norm_eps)
            self.q_b_proj = nn.Linear(q_lora_rank, q_out, bias=False)
        self.kv_a_proj = nn.Linear(embed_dim, kv_lora_rank + qk_rope_head_dim, bias=use_bias)
        self.kv_a_norm = RMSNorm(kv_lora_rank, eps=rms_norm_eps)
        self.kv_b_proj = nn.Linear(
            kv_lora_rank, num_heads * (qk_nope_head_dim + v_head_dim), bias=False
        )
        self.out_proj = nn.Linear(num_heads * v_head_dim, embed_dim, bias=use_bias)
        self.rope = rope_from_config(qk_rope_head_dim, max_seq_len, rope_theta, rope_scaling)

    @property
    def dropout_p(self) -> float:
        """Attention-probability dropout in effect now (0 in eval mode)."""
        return self.dropout.p if self.training else 0.0

    def cache_width(self) -> int:
        """Numbers cached per token: the latent plus the shared rotated key."""
        return self.kv_lora_rank + self.rope_dim

    def _queries(self, x: Tensor) -> Tensor:
        if self.q_lora_rank is None:
            return self.q_proj(x)
        return self.q_b_proj(self.q_a_norm(self.q_a_proj(x)))

    def _expand(self, latent: Tensor, k_rot: Tensor) -> tuple[Tensor, Tensor]:
        """Per-head keys ``[B, H, L, qk_dim]`` and values ``[B, H, L, v_dim]`` from the cache."""
        b, _, length, _ = latent.shape
        kv = self.kv_b_proj(latent.squeeze(1)).view(b, length, self.num_heads, -1)
        kv = kv.transpose(1, 2)  # [B, H, L, nope + v]
        k_nope, v = kv.split([self.nope_dim, self.v_dim], dim=-1)
        k = torch.cat([k_nope, k_rot.expand(-1, self.num_heads, -1, -1)], dim=-1)
        return k, v

    def forward(
        self, x: Tensor, mask: Tensor | None = None, kv_cache: KVCache | None = None
    ) -> Tensor:
        """Self-attention over ``x`` (``[B, N, D]``); returns ``[B, N, D]``."""
        check_tokens(x, self.embed_dim, type(self).__name__)
        b, n, _ = x.shape
        q = self._queries(x).view(b, n, self.num_heads, self.qk_dim).transpose(1, 2)
        q_nope, q_rot = q.split([self.nope_dim, self.rope_dim], dim=-1)  # [B, H, N, *]
        latent, k_rot = self.kv_a_proj(x).split([self.kv_lora_rank, self.rope_dim], dim=-1)
        latent = self.kv_a_norm(latent).unsqueeze(1)  # [B, 1, N, r]
        k_rot = k_rot.unsqueeze(1)  # [B, 1, N, rope]
        slot = kv_cache.slot(self) if kv_cache is not None else None
        offset = slot.length if slot is not None else 0
        q_rot, k_rot = self.rope.rotate_qk(q_rot, k_rot, offset)
        if slot is not None:  # the cache holds the compressed latent, not per-head K/V
            latent, k_rot = slot.append(latent, k_rot)
        k, v = self._expand(latent, k_rot)
        attn_mask, is_causal = build_attention_mask(
            mask, batch=b, q_len=n, k_len=k.shape[-2], offset=offset, causal=True,
            window=None, slot=slot, device=x.device,
        )
        out = sdpa_attention(
            torch.cat([q_nope, q_rot], dim=-1), k, v, attn_mask, is_causal, self.scale,
            self.dropout_p,
        )  # [B, H, N, v_dim]
        return self.out_proj(out.transpose(1, 2).reshape(b, n, self.num_heads * self.v_dim))

    def extra_repr(self) -> str:
        q = "" if self.q_lora_rank is None else f", q_lora_rank={self.q_lora_rank}"
        return (
            f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
            f"kv_lora_rank={self.kv_lora_rank}{q}, qk_dim={self.nope_dim}+{self.rope_dim}, "
            f"v_head_dim={self.v_dim}"
        )
