"""The one file name ``olm.graph`` needs from the checkpoint layout.

``olm.graph`` opens a checkpoint folder's document (``olm info RUN/final``), and it sits
below :mod:`olm.store`, which owns every other name (:mod:`olm.store.layout`). So this
single name lives here, and ``olm.store.layout`` re-exports it rather than spelling it
again.
"""

from __future__ import annotations

__all__ = ["MODEL_DOCUMENT"]

MODEL_DOCUMENT = "model.olm.json"
