"""``olm.nn.embeddings.positional``: the positional embeddings under their OLM import path."""

from olm.nn.embeddings.absolute import AbsolutePositionalEmbedding
from olm.nn.embeddings.alibi import ALiBiPositionalBias
from olm.nn.embeddings.base import PositionalEmbeddingBase
from olm.nn.embeddings.partial_rotary import PartialRotaryPositionalEmbedding
from olm.nn.embeddings.rotary import RotaryPositionalEmbedding
from olm.nn.embeddings.scaled_rotary import (
    PartialScaledRotaryPositionalEmbedding,
    ScaledRotaryPositionalEmbedding,
)
from olm.nn.embeddings.sinusoidal import SinusoidalPositionalEmbedding

__all__ = [
    "ALiBiPositionalBias",
    "AbsolutePositionalEmbedding",
    "PartialRotaryPositionalEmbedding",
    "PartialScaledRotaryPositionalEmbedding",
    "PositionalEmbeddingBase",
    "RotaryPositionalEmbedding",
    "ScaledRotaryPositionalEmbedding",
    "SinusoidalPositionalEmbedding",
]
