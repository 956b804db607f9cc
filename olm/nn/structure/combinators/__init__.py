"""Containers that combine blocks: skip connections, repetition, parallel branches."""

from olm.nn.structure.combinators.base import BaseCombinator, _forward_module
from olm.nn.structure.combinators.parallel import MERGES, Parallel
from olm.nn.structure.combinators.repeat import Repeat
from olm.nn.structure.combinators.residual import Residual

__all__ = ["BaseCombinator", "MERGES", "Parallel", "Repeat", "Residual", "_forward_module"]
