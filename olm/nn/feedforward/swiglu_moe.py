"""``from olm.nn.feedforward.swiglu_moe import SwiGLUMoEFFN`` (the reference page's import path).

The class lives in :mod:`olm.nn.moe.swiglu`; this module only re-exports it.
"""

from olm.nn.moe.swiglu import SwiGLUMoEFFN

__all__ = ["SwiGLUMoEFFN"]
