"""Embeddings: token embedding and positional encodings (absolute, sinusoidal, rotary, ALiBi)."""

from olm.core.registry import POS_EMB
from olm.nn.embeddings.absolute import AbsolutePositionalEmbedding
from olm.nn.embeddings.alibi import ALiBiPositionalBias
from olm.nn.embeddings.base import PositionalEmbeddingBase
from olm.nn.embeddings.partial_rotary import PartialRotaryPositionalEmbedding
from olm.nn.embeddings.rope_config import rope_from_config
from olm.nn.embeddings.rotary import RotaryPositionalEmbedding, apply_rotary, rotate_half
from olm.nn.embeddings.scaled_rotary import (
    PartialScaledRotaryPositionalEmbedding,
    ScaledRotaryPositionalEmbedding,
)
from olm.nn.embeddings.sinusoidal import SinusoidalPositionalEmbedding
from olm.nn.embeddings.token import Embedding

for _name, _cls in {
    "absolute": AbsolutePositionalEmbedding,
    "sinusoidal": SinusoidalPositionalEmbedding,
    "rope": RotaryPositionalEmbedding,
    "partial_rope": PartialRotaryPositionalEmbedding,
    "scaled_rope": ScaledRotaryPositionalEmbedding,
    "partial_scaled_rope": PartialScaledRotaryPositionalEmbedding,
    "alibi": ALiBiPositionalBias,
}.items():
    POS_EMB.register(_name)(_cls)

__all__ = [
    "ALiBiPositionalBias",
    "AbsolutePositionalEmbedding",
    "Embedding",
    "PartialRotaryPositionalEmbedding",
    "PartialScaledRotaryPositionalEmbedding",
    "PositionalEmbeddingBase",
    "RotaryPositionalEmbedding",
    "ScaledRotaryPositionalEmbedding",
    "SinusoidalPositionalEmbedding",
    "apply_rotary",
    "rope_from_config",
    "rotate_half",
]
