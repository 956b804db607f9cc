"""Position-wise feed-forward networks (dense and mixture-of-experts)."""

from olm.nn.feedforward.base import FeedForwardBase
from olm.nn.feedforward.classic import ClassicFFN
from olm.nn.feedforward.gated_base import GatedFFNBase
from olm.nn.feedforward.geglu import GeGLUFFN
from olm.nn.feedforward.swiglu import SwiGLUFFN
from olm.nn.moe import ClassicMoEFFN, GeGLUMoEFFN, MoEFeedForwardBase, SwiGLUMoEFFN

__all__ = [
    "ClassicFFN",
    "ClassicMoEFFN",
    "FeedForwardBase",
    "GatedFFNBase",
    "GeGLUFFN",
    "GeGLUMoEFFN",
    "MoEFeedForwardBase",
    "SwiGLUFFN",
    "SwiGLUMoEFFN",
]
