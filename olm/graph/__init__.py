"""olm.graph: a model as one editable document, with no Qt in it.

The same document is built into PyTorch (:func:`build`), printed as Python
(:func:`to_python`), read back from Python without executing it (:func:`from_python`),
checked (:func:`validate`), measured (:func:`stats`, :func:`summary`) and saved as a
project file (:func:`save`, :func:`load`). :func:`from_module` describes any `olm` model,
:func:`from_source` names one by preset, project file or ``.py`` file, and
:mod:`olm.graph.commands` holds the undoable edits the Studio's canvas is made of.
"""

from olm.core.lazy import lazy_exports

__all__ = [
    "Catalog",
    "ComponentSpec",
    "Diagnostic",
    "Event",
    "Graph",
    "GraphEvents",
    "Node",
    "NodeStats",
    "ParamSpec",
    "Stats",
    "build",
    "catalog",
    "from_module",
    "from_python",
    "from_source",
    "load",
    "save",
    "stats",
    "summary",
    "to_python",
    "validate",
]

# Imported on first use: opening or measuring a document must not import torch.
lazy_exports(__name__, {
    "Catalog": "olm.graph.catalog",
    "ComponentSpec": "olm.graph.catalog",
    "Diagnostic": "olm.graph.diagnostics",
    "Event": "olm.graph.events",
    "Graph": "olm.graph.document",
    "GraphEvents": "olm.graph.events",
    "Node": "olm.graph.document",
    "NodeStats": "olm.graph.stats",
    "ParamSpec": "olm.graph.catalog",
    "Stats": "olm.graph.stats",
    "build": "olm.graph.build",
    "catalog": "olm.graph.catalog",
    "from_module": "olm.graph.from_module",
    "from_python": "olm.graph.from_python",
    "from_source": "olm.graph.source",
    "load": "olm.graph.project",
    "save": "olm.graph.project",
    "stats": "olm.graph.stats",
    "summary": "olm.graph.summary",
    "to_python": "olm.graph.to_python",
    "validate": "olm.graph.validate",
})
