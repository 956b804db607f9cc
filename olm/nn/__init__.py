"""olm.nn: the components models are built from (no Qt, plain PyTorch)."""

from olm.nn import (
    activations,
    attention,
    blocks,
    embeddings,
    feedforward,
    moe,
    norms,
    structure,
)
from olm.nn.linear import Linear

__all__ = [
    "Linear",
    "activations",
    "attention",
    "blocks",
    "embeddings",
    "feedforward",
    "moe",
    "norms",
    "structure",
]
