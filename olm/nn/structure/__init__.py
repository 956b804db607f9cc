"""Structure: `Block` and the combinators models are assembled from, and checkpoints."""

from olm.nn.structure.block import Block, Pipeline
from olm.nn.structure.combinators import Parallel, Repeat, Residual
from olm.nn.structure.persistence import load, load_block, load_model, save_block

__all__ = [
    "Block",
    "Parallel",
    "Pipeline",
    "Repeat",
    "Residual",
    "load",
    "load_block",
    "load_model",
    "save_block",
]
