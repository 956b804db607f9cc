"""Position-wise feed-forward networks (dense and mixture-of-experts).

The mixture-of-experts FFNs live in :mod:`olm.nn.moe`, which builds its experts from the
dense FFNs here and so imports this package. They are exported here too (the reference
API's import path), but loaded on first use (PEP 562, :mod:`olm.core.lazy`): importing
them eagerly would make the two packages import each other.
"""

from olm.core.lazy import lazy_exports
from olm.nn.feedforward.base import FeedForwardBase
from olm.nn.feedforward.classic import ClassicFFN
from olm.nn.feedforward.gated_base import GatedFFNBase
from olm.nn.feedforward.geglu import GeGLUFFN
from olm.nn.feedforward.swiglu import SwiGLUFFN

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

__getattr__, __dir__ = lazy_exports(__name__, {
    "ClassicMoEFFN": "olm.nn.moe",
    "GeGLUMoEFFN": "olm.nn.moe",
    "MoEFeedForwardBase": "olm.nn.moe",
    "SwiGLUMoEFFN": "olm.nn.moe",
})
