"""`AttentionBase` and `AttentionwithRoPEBase`: the shared attention pipeline.

Every attention layer runs the same steps — project, (QK-norm), rotate, append to the KV
cache, build the mask, ``compute_attention``, merge heads, project out — and differs only
in how scores are computed. Subclasses implement :meth:`compute_attention`.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.nn.attention._fused import ProjectionView, install_state_dict_hooks
from olm.nn.attention.kv_cache import KVCache
from olm.nn.attention.masks import build_attention_mask
from olm.nn.embeddings.absolute import check_tokens
from olm.nn.embeddings.base import require_positive
from olm.nn.embeddings.rope_config import rope_from_config

__all__ = ["AttentionBase", "AttentionwithRoPEBase", "check_heads"]


def check_heads(embed_dim: int, num_heads: int, num_kv_heads: int, head_dim: int | None) -> int:
    """Validate the head layout and return the head size."""
    require_positive("embed_dim", embed_dim)
    require_positive("num_heads", num_heads)
    require_positive("num_kv_heads", num_kv_heads)
    if head_dim is None:
        if embed_dim % num_heads:
            raise ConfigError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        head_dim = embed_dim // num_heads
    require_positive("head_dim", head_dim)
    if num_heads % num_kv_heads:
        raise ConfigError(f"num_kv_heads {num_kv_heads} must divide num_heads {num_heads}")
    return head_dim


def check_dropout(dropout: float) -> None:
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ConfigError(f"dropout must be in [0, 1), got {dropout!r}")


class AttentionBase(Component):
    """Abstract multi-head attention: ``q/k/v/out_proj`` and the forward pipeline.

    Keyword-only arguments let subclasses shape the projections (grouped KV heads, a head
    size other than ``embed_dim // num_heads``, separate q/k/v and output biases).

    The query, key and value projections are one fused ``qkv_proj`` (a single matmul,
    like nanoGPT's ``c_attn``); ``q_proj``, ``k_proj`` and ``v_proj`` are views of its rows,
    and the state dict keeps the three separate keys (see ``olm.nn.attention._fused``).

    Args:
        embed_dim (int): model width D.
        num_heads (int): number of query heads H.
        dropout (float): dropout on attention probabilities (training only). Default: 0.0.
        bias (bool): biases on all four projections. Default: True.
    """

    family = None

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        *,
        num_kv_heads: int | None = None,
        head_dim: int | None = None,
        qkv_bias: bool | None = None,
    ) -> None:
        super().__init__()
        num_kv_heads = num_heads if num_kv_heads is None else num_kv_heads
        self.head_dim = check_heads(embed_dim, num_heads, num_kv_heads, head_dim)
        check_dropout(dropout)
        self.embed_dim, self.num_heads, self.num_kv_heads = embed_dim, num_heads, num_kv_heads
        self.num_groups = num_heads // num_kv_heads
        self.q_dim, self.kv_dim = num_heads * self.head_dim, num_kv_heads * self.head_dim
        self.scale = self.head_dim**-0.5
        self.dropout = nn.Dropout(dropout)
        qkv_bias = bias if qkv_bias is None else qkv_bias
        self.qkv_sizes = (self.q_dim, self.kv_dim, self.kv_dim)
        self.qkv_proj = nn.Linear(embed_dim, sum(self.qkv_sizes), bias=qkv_bias)  # rows q, k, v
        self.out_proj = nn.Linear(self.q_dim, embed_dim, bias=bias)
        install_state_dict_hooks(self)  # the state dict keeps q_proj / k_proj / v_proj keys
        self.causal = False
        self.sliding_window: int | None = None
        self.rope: nn.Module | None = None

    @property
    def q_proj(self) -> ProjectionView:
        """The query projection: rows ``[0, q_dim)`` of ``qkv_proj``."""
        return ProjectionView(self.qkv_proj, 0, self.q_dim)

    @property
    def k_proj(self) -> ProjectionView:
        """The key projection: rows ``[q_dim, q_dim + kv_dim)`` of ``qkv_proj``."""
        return ProjectionView(self.qkv_proj, self.q_dim, self.q_dim + self.kv_dim)

    @property
    def v_proj(self) -> ProjectionView:
        """The value projection: the last ``kv_dim`` rows of ``qkv_proj``."""
        start = self.q_dim + self.kv_dim
        return ProjectionView(self.qkv_proj, start, start + self.kv_dim)

    @property
    def dropout_p(self) -> float:
        """Attention-probability dropout in effect now (0 in eval mode)."""
        return self.dropout.p if self.training else 0.0

    def compute_attention(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
    ) -> Tensor:
        """Attend ``q [B, H, N, hd]`` over ``k, v [B, KV, Nk, hd]``; returns ``[B, H, N, hd]``.

        ``mask`` is a broadcastable bool keep-mask or float additive mask; ``is_causal``
        means plain causal masking with nothing else.
        """
        raise NotImplementedError

    def _prepare_qk(self, q: Tensor, k: Tensor, offset: int) -> tuple[Tensor, Tensor]:
        """Hook for QK-norm and rotary positions (queries/keys at ``offset + arange(N)``)."""
        if self.rope is not None:
            q, k = self.rope.rotate_qk(q, k, offset)
        return q, k

    def forward(
        self, x: Tensor, mask: Tensor | None = None, kv_cache: KVCache | None = None
    ) -> Tensor:
        """Self-attention over ``x`` (``[B, N, D]``); returns ``[B, N, D]``.

        Args:
            x: the token vectors.
            mask: optional keep-mask: ``[B, N]`` (or ``[B, cached+N]``) padding over keys,
                ``[N, Nk]``, or ``[B, 1|H, N, Nk]``; bool/int keep, float additive.
            kv_cache: a `KVCache` to read earlier keys/values from and append to.
        """
        check_tokens(x, self.embed_dim, type(self).__name__)
        b, n, _ = x.shape
        q, k, v = self.qkv_proj(x).split(self.qkv_sizes, dim=-1)  # one matmul for all three
        q = q.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)
        k = k.view(b, n, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = v.view(b, n, self.num_kv_heads, self.head_dim).transpose(1, 2)
        slot = kv_cache.slot(self) if kv_cache is not None else None
        offset = slot.length if slot is not None else 0
        q, k = self._prepare_qk(q, k, offset)
        if slot is not None:
            k, v = slot.append(k, v)
        attn_mask, is_causal = build_attention_mask(
            mask,
            batch=b,
            q_len=n,
            k_len=k.shape[-2],
            offset=offset,
            causal=self.causal,
            window=self.sliding_window,
            slot=slot,
            device=x.device,
        )
        out = self.compute_attention(q, k, v, mask=attn_mask, is_causal=is_causal)
        return self.out_proj(out.transpose(1, 2).reshape(b, n, self.q_dim))

    def extra_repr(self) -> str:
        kv = "" if self.num_kv_heads == self.num_heads else f", num_kv_heads={self.num_kv_heads}"
        causal = ", causal=True" if self.causal else ""
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}{kv}, head_dim={self.head_dim}{causal}"


class AttentionwithRoPEBase(AttentionBase):
    """Abstract attention whose queries and keys are rotated by RoPE before scoring.

    Args:
        embed_dim (int): model width D.
        num_heads (int): number of heads H.
        max_seq_len (int): the longest sequence the model is meant for.
        dropout (float): dropout on attention probabilities. Default: 0.0.
        bias (bool): biases on all four projections. Default: True.
        rope_theta (float): RoPE base. Default: 10000.0.
        rope_scaling (dict | None): Hugging Face style RoPE scaling, e.g.
            ``{"rope_type": "llama3", "factor": 8.0, ...}``. Default: None.
    """

    family = None

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        max_seq_len: int,
        dropout: float = 0.0,
        bias: bool = True,
        rope_theta: float = 10000.0,
        rope_scaling: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(embed_dim, num_heads, dropout, bias, **kwargs)
        self.max_seq_len = max_seq_len
        self.rope = rope_from_config(self.head_dim, max_seq_len, rope_theta, rope_scaling)
