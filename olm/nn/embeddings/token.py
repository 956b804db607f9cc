"""`Embedding`: token ids to vectors, optionally scaled (Gemma multiplies by sqrt(D))."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.nn.embeddings.base import INIT_STD, require_positive

__all__ = ["Embedding"]


class Embedding(Component):
    """Token embedding: looks up one learned vector per token id.

    Initialised from N(0, 0.02) as GPT-2 and Llama are, not torch's N(0, 1): with a tied
    output head, unit-variance vectors would start training at a loss several times
    ``ln(vocab_size)``.

    Args:
        vocab_size (int): number of token ids.
        embedding_dim (int): size of each vector (the model width D).
        scale (float | None): multiply the looked-up vectors by this (Gemma uses
            ``sqrt(D)``); ``None`` leaves them as they are. Default: None.
    """

    family = "embedding"

    def __init__(self, vocab_size: int, embedding_dim: int, scale: float | None = None) -> None:
        super().__init__()
        require_positive("vocab_size", vocab_size)
        require_positive("embedding_dim", embedding_dim)
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))):
            raise ConfigError(f"scale must be a number or None, got {scale!r}")
        self.vocab_size = vocab_size
        self.embedding_dim = embedding_dim
        self.scale = None if scale is None else float(scale)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the table from N(0, 0.02) (GPT-2's initialisation)."""
        nn.init.normal_(self.embedding.weight, mean=0.0, std=INIT_STD)

    @property
    def weight(self) -> nn.Parameter:
        """The ``[vocab_size, embedding_dim]`` table (what a tied output head reuses)."""
        return self.embedding.weight

    def forward(self, ids: Tensor) -> Tensor:
        """Look up ``ids`` (``[B, N]`` integer tensor) and return ``[B, N, embedding_dim]``."""
        if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
            raise ValueError(
                f"Embedding expects integer token ids of shape [batch, seq], got dtype {ids.dtype}"
            )
        if ids.dim() != 2:
            raise ValueError(
                f"Embedding expects token ids of shape [batch, seq], got shape {list(ids.shape)}"
            )
        out = self.embedding(ids)
        if self.scale is not None:
            # Gemma casts the scale to the activation dtype before multiplying.
            out = out * out.new_tensor(self.scale)
        return out

    def extra_repr(self) -> str:
        scale = "" if self.scale is None else f", scale={self.scale:g}"
        return f"{self.vocab_size}, {self.embedding_dim}{scale}"
