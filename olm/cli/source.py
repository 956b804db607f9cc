"""What the command line's SOURCE argument names, as an architecture document.

``olm.graph.from_source`` reads presets, projects, checkpoints and ``.py`` files; the
command line also accepts a GGUF file or a Hugging Face folder, described from its
metadata without reading weights (:mod:`olm.interop.describe`).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["read_source"]


def read_source(spec: str | os.PathLike, overrides: Any = None) -> Any:
    """The document of ``spec`` (``--set`` overrides applied), whatever kind it is."""
    from olm.graph import from_source
    from olm.interop.describe import pretrained_graph

    graph = pretrained_graph(spec)
    if graph is None:
        return from_source(spec, overrides=overrides)
    if overrides:
        from olm.graph.overrides import apply_overrides

        graph = apply_overrides(graph, overrides)
    return graph
