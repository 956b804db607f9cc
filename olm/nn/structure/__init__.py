"""Structure: `Block` and the combinators models are assembled from."""

from olm.nn.structure.block import Block, Pipeline
from olm.nn.structure.combinators import Parallel, Repeat, Residual

__all__ = ["Block", "Parallel", "Pipeline", "Repeat", "Residual"]
