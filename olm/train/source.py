"""SOURCE → model: a preset name, a ``.olm.json`` document, a ``.py`` file, or a module.

One function, :func:`load_source`, so the trainer never cares how a model was described.
Named sources go through ``olm.graph`` (which reads all of them without executing code),
and the document is kept for the checkpoint's ``model.olm.json``.
"""

from __future__ import annotations

from typing import Any

from torch import nn

__all__ = ["load_source"]


def load_source(spec: str | nn.Module) -> tuple[Any | None, nn.Module]:
    """The (graph document or None, freshly initialised module) a SOURCE describes.

    Args:
        spec: a preset name (``"GPT2"``), a ``.olm.json`` path, a ``.py`` path, a
            checkpoint folder, or an ``nn.Module`` (used as is, with no document).

    Raises:
        OLMError: the source names nothing buildable (the message says why).
    """
    if isinstance(spec, nn.Module):
        return None, spec
    import olm.graph

    doc = olm.graph.from_source(spec)
    return doc, olm.graph.build(doc)
