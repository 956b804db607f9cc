"""Position-wise feed-forward networks (dense).

The mixture-of-experts FFNs are built from these, so they live in :mod:`olm.nn.moe`, which
imports this package; re-exporting them here would make the two packages import each
other (``olm.nn.feedforward.swiglu_moe`` keeps the reference page's import path).
"""

from olm.nn.feedforward.base import FeedForwardBase
from olm.nn.feedforward.classic import ClassicFFN
from olm.nn.feedforward.gated_base import GatedFFNBase
from olm.nn.feedforward.geglu import GeGLUFFN
from olm.nn.feedforward.swiglu import SwiGLUFFN

__all__ = [
    "ClassicFFN",
    "FeedForwardBase",
    "GatedFFNBase",
    "GeGLUFFN",
    "SwiGLUFFN",
]
