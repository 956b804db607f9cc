"""`AbsolutePositionalEmbedding`: GPT-2's learned vector per position slot."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.nn.embeddings.base import (
    INIT_STD,
    PositionalEmbeddingBase,
    positions_for,
    require_positive,
)

__all__ = ["AbsolutePositionalEmbedding", "check_tokens"]


def check_tokens(x: Tensor, embed_dim: int, who: str) -> None:
    """Raise a ValueError naming the expected ``[batch, seq, embed_dim]`` shape."""
    if x.dim() != 3 or x.shape[-1] != embed_dim:
        raise ValueError(
            f"{who} expects input of shape [batch, seq, {embed_dim}], got {list(x.shape)}"
        )


class AbsolutePositionalEmbedding(PositionalEmbeddingBase):
    """Adds a learned vector for each position (GPT-2, OPT), then dropout.

    Positions start at ``kv_cache.length`` when a cache is given, so incremental decoding
    adds the same vectors as a full forward. It cannot extend past ``max_seq_len``.

    Args:
        max_seq_len (int): number of position slots (the longest sequence).
        embed_dim (int): model width D.
        dropout (float): dropout applied after the addition. Default: 0.0.
    """

    family = "embedding"

    def __init__(self, max_seq_len: int, embed_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        require_positive("max_seq_len", max_seq_len)
        require_positive("embed_dim", embed_dim)
        if not 0.0 <= dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {dropout!r}")
        self.max_seq_len = max_seq_len
        self.embed_dim = embed_dim
        self.pos_embedding = nn.Embedding(max_seq_len, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the position table from N(0, 0.02), the scale of the token table."""
        nn.init.normal_(self.pos_embedding.weight, mean=0.0, std=INIT_STD)

    def forward(
        self, x: Tensor, seq_positions: Tensor | None = None, kv_cache: Any = None
    ) -> Tensor:
        """Add position vectors to ``x`` (``[B, N, D]``) and return the same shape."""
        check_tokens(x, self.embed_dim, type(self).__name__)
        offset = kv_cache.length if kv_cache is not None else 0
        if seq_positions is None and offset + x.shape[1] > self.max_seq_len:
            raise ValueError(
                f"sequence length {offset + x.shape[1]} exceeds max_seq_len {self.max_seq_len}"
            )
        positions = positions_for(x.shape[1], seq_positions, kv_cache, x.device)
        if (
            seq_positions is not None
            and positions.numel()
            and int(positions.max()) >= self.max_seq_len
        ):
            raise ValueError(
                f"position {int(positions.max())} is beyond max_seq_len {self.max_seq_len}"
            )
        return self.dropout(x + self.pos_embedding(positions))

    def extra_repr(self) -> str:
        return f"max_seq_len={self.max_seq_len}, embed_dim={self.embed_dim}"
