"""`SinusoidalPositionalEmbedding`: the fixed sin/cos positions of "Attention Is All You Need"."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.nn.embeddings.absolute import check_tokens
from olm.nn.embeddings.base import PositionalEmbeddingBase, positions_for, require_positive

__all__ = ["SinusoidalPositionalEmbedding", "sinusoid_table"]


def sinusoid_table(positions: Tensor, embed_dim: int, base: float) -> Tensor:
    """``[N, D]`` table: even dims ``sin(p * w_i)``, odd dims ``cos(p * w_i)``, ``w_i = base^(-2i/D)``.

    Computed only for the positions asked for, so no ``max_seq_len``-sized table exists.
    """
    half = (embed_dim + 1) // 2
    freqs = torch.exp(
        torch.arange(half, device=positions.device, dtype=torch.float32)
        * (-math.log(base) * 2 / embed_dim)
    )
    angles = positions.to(torch.float32)[:, None] * freqs[None, :]  # [N, half]
    table = torch.stack((angles.sin(), angles.cos()), dim=-1).flatten(-2)  # [N, 2*half]
    return table[:, :embed_dim]


class SinusoidalPositionalEmbedding(PositionalEmbeddingBase):
    """Adds fixed (not learned) sinusoidal position vectors, then dropout.

    Args:
        embed_dim (int): model width D.
        max_seq_len (int): the longest sequence accepted. Default: 5000.
        base (float): wavelength base of the sinusoids. Default: 10000.
        dropout (float): dropout applied after the addition. Default: 0.0.
    """

    family = "embedding"

    def __init__(
        self, embed_dim: int, max_seq_len: int = 5000, base: float = 10000, dropout: float = 0.0
    ) -> None:
        super().__init__()
        require_positive("embed_dim", embed_dim)
        require_positive("max_seq_len", max_seq_len)
        if not base > 1:
            raise ConfigError(f"base must be greater than 1, got {base!r}")
        if not 0.0 <= dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {dropout!r}")
        self.embed_dim = embed_dim
        self.max_seq_len = max_seq_len
        self.base = float(base)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self, x: Tensor, seq_positions: Tensor | None = None, kv_cache: Any = None
    ) -> Tensor:
        """Add the sinusoids to ``x`` (``[B, N, D]``) and return the same shape."""
        check_tokens(x, self.embed_dim, type(self).__name__)
        offset = kv_cache.length if kv_cache is not None else 0
        if seq_positions is None and offset + x.shape[1] > self.max_seq_len:
            raise ValueError(
                f"sequence length {offset + x.shape[1]} exceeds max_seq_len {self.max_seq_len}"
            )
        positions = positions_for(x.shape[1], seq_positions, kv_cache, x.device)
        table = sinusoid_table(positions, self.embed_dim, self.base).to(x.dtype)
        return self.dropout(x + table)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, max_seq_len={self.max_seq_len}, base={self.base:g}"
