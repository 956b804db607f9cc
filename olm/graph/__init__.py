"""olm.graph: a model as one editable document, with no Qt in it.

The same document is built into PyTorch (:func:`build`), printed as Python
(:func:`to_python`), read back from Python without executing it (:func:`from_python`),
checked (:func:`validate`), measured (:func:`stats`, :func:`summary`) and saved as a
project file (:func:`save`, :func:`load`). :func:`from_module` describes any `olm` model,
:func:`from_source` names one by preset, project file or ``.py`` file, and
:mod:`olm.graph.commands` holds the undoable edits the Studio's canvas is made of.
"""

from olm.core.lazy import lazy_exports
from olm.graph.catalog import Catalog, ComponentSpec, ParamSpec, catalog
from olm.graph.diagnostics import Diagnostic
from olm.graph.document import Graph, Node
from olm.graph.events import Event, GraphEvents
from olm.graph.from_python import from_python
from olm.graph.project import load, save
from olm.graph.source import from_source
from olm.graph.stats import NodeStats, Stats, stats
from olm.graph.to_python import to_python
from olm.graph.validate import validate

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

# These three import torch, so they load on first use: opening or measuring a document
# must not import it (the Studio starts without torch). Their modules are not named
# after them (olm.core.lazy says why).
__getattr__, __dir__ = lazy_exports(__name__, {
    "build": "olm.graph.to_module",
    "from_module": "olm.graph.describe_module",
    "summary": "olm.graph.summarize",
})
