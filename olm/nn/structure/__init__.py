"""Structure: `Block` and the combinators models are assembled from.

Checkpoints (``Block.save`` and loading them back) live in :mod:`olm.store.checkpoint`.
"""

from olm.nn.structure.block import Block, Pipeline
from olm.nn.structure.combinators import Parallel, Repeat, Residual

__all__ = [
    "Block",
    "Parallel",
    "Pipeline",
    "Repeat",
    "Residual",
]
