"""The document controller: one open document, its undo stack, and what follows from it.

It owns the :class:`~olm.graph.document.Graph` and the QUndoStack, turns the document's
plain events into Qt signals, and recomputes the figures (per-node counts, model stats)
and the diagnostics after every edit, synchronously, so the canvas, the status line and
the Diagnostics list are right the moment an edit returns. Slow faces of the document
(generated code, the torchinfo summary) are recomputed lazily by their panels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from olm.graph.catalog import catalog
from olm.graph.document import Graph
from olm.graph.stats import stats
from olm.graph.validate import validate
from olm_studio.undo import GraphCommand

__all__ = ["DocumentController", "Figures"]

_STRUCTURAL = ("node_added", "node_removed", "node_moved", "wiring_changed")


@dataclass
class Figures:
    """What the model costs and whether it is well-formed, recomputed after each edit.

    Args:
        counts: parameter count per node id (containers: totals).
        stats: ``olm.graph.stats`` result (``None`` if it failed).
        diagnostics: every diagnostic.
        by_node: diagnostics per node id.
        env: evaluated model variables.
        seconds: how long the recomputation took.
    """

    counts: dict[str, int] = field(default_factory=dict)
    stats: Any = None
    diagnostics: list[Any] = field(default_factory=list)
    by_node: dict[str, list[Any]] = field(default_factory=dict)
    env: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        """Number of error diagnostics."""
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        """Number of warning diagnostics."""
        return sum(1 for d in self.diagnostics if d.severity == "warning")


def compute_figures(graph: Graph) -> Figures:
    """Counts, stats and diagnostics of ``graph`` (never raises: failures become None)."""
    start = time.perf_counter()
    from olm.graph.facts import needs_torch
    from olm_studio.torch_loader import torch_loader

    if not torch_loader().is_ready and needs_torch(graph):
        torch_loader().wait()  # a part not in the shipped figures is measured with torch
    env, _ = graph.variable_values()
    figures = Figures(env=env)
    figures.diagnostics = validate(graph)
    for d in figures.diagnostics:
        figures.by_node.setdefault(d.node_id, []).append(d)
    try:
        figures.stats = stats(graph)
        figures.counts = {k: v.params for k, v in figures.stats.nodes.items()}
    except Exception:  # noqa: BLE001 - stats of an invalid model may fail; the rest stands
        figures.stats = None
    figures.seconds = time.perf_counter() - start
    return figures


class DocumentController(QObject):
    """The open document, its undo stack and its derived figures.

    Args:
        graph: the initial document.
        parent: the owning QObject.
    """

    document_replaced = Signal()
    structure_changed = Signal()
    content_changed = Signal()
    figures_changed = Signal(object)
    selection_changed = Signal(list)
    path_changed = Signal(object)
    dirty_changed = Signal(bool)

    def __init__(self, graph: Graph | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._modified = False  # dirty without an undo step (a recovered document)
        self.graph: Graph = graph if graph is not None else Graph.new()
        self.path: Path | None = None
        self.selection: list[str] = []
        self.figures = Figures()
        self._structural = False
        self._connect(self.graph)
        self.recompute()

    # -- document lifecycle -----------------------------------------------------------------
    def _connect(self, graph: Graph) -> None:
        ev = graph.events
        for name in _STRUCTURAL:
            getattr(ev, name).connect(self._mark_structural)
        ev.changed.connect(self._on_changed)

    def _disconnect(self, graph: Graph) -> None:
        ev = graph.events
        for name in _STRUCTURAL:
            getattr(ev, name).disconnect(self._mark_structural)
        ev.changed.disconnect(self._on_changed)

    def set_document(self, graph: Graph, path: Path | None = None) -> None:
        """Replace the open document (clears undo history and selection)."""
        self._disconnect(self.graph)
        self.graph = graph
        self._connect(graph)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._modified = False
        self.path = Path(path) if path else None
        self.selection = []
        self.recompute()
        self.document_replaced.emit()
        self.path_changed.emit(self.path)
        self.dirty_changed.emit(False)

    @property
    def dirty(self) -> bool:
        """True when there are edits since the last save/open."""
        return self._modified or not self.undo_stack.isClean()

    @property
    def pristine(self) -> bool:
        """True while the document is exactly as it was opened (no edit, or all undone)."""
        return self.undo_stack.index() == 0 and not self._modified

    def _on_clean_changed(self, _clean: bool) -> None:
        self.dirty_changed.emit(self.dirty)

    def set_modified(self, modified: bool) -> None:
        """Mark the document as changed although no undo step says so (recovery)."""
        self._modified = modified
        self.dirty_changed.emit(self.dirty)

    def mark_saved(self, path: Path) -> None:
        """Record that the document was written to ``path``."""
        self.path = Path(path)
        self._modified = False
        self.undo_stack.setClean()
        self.path_changed.emit(self.path)
        self.dirty_changed.emit(False)

    # -- editing ----------------------------------------------------------------------------
    def run(self, command: Any, label: str | None = None) -> None:
        """Do ``command`` (an ``olm.graph`` command) and push it as one undoable step.

        Raises:
            OLMError: the edit is impossible; the document and the undo stack are unchanged.
        """
        command.do(self.graph)
        self.undo_stack.push(GraphCommand(self.graph, command, done=True, label=label))

    def set_view(self, node_id: str, key: str, value: Any) -> None:
        """Change view state (collapsed, copies shown): saved with the file, not undoable."""
        entry = dict(self.graph.layout.get(node_id, {}))
        if value is None or value is False:
            entry.pop(key, None)
        else:
            entry[key] = value
        if entry:
            self.graph.layout[node_id] = entry
        else:
            self.graph.layout.pop(node_id, None)
        self.structure_changed.emit()

    def _mark_structural(self, *args: Any) -> None:
        self._structural = True

    def _on_changed(self, *args: Any) -> None:
        structural, self._structural = self._structural, False
        self.selection = [i for i in self.selection if i in self.graph.nodes]
        self.recompute()
        if structural:
            self.structure_changed.emit()
        else:
            self.content_changed.emit()

    def recompute(self) -> None:
        """Recount figures and rerun validation; emits :attr:`figures_changed`."""
        self.figures = compute_figures(self.graph)
        self.figures_changed.emit(self.figures)

    # -- selection --------------------------------------------------------------------------
    def select(self, ids: list[str]) -> None:
        """Make ``ids`` the selection (views follow :attr:`selection_changed`)."""
        ids = [i for i in ids if i in self.graph.nodes]
        if ids != self.selection:
            self.selection = ids
            self.selection_changed.emit(list(ids))

    # -- catalog helpers --------------------------------------------------------------------
    @staticmethod
    def family_of(type_key: str) -> str:
        """The family of a type key ("structure" for containers, "other" if unknown)."""
        cat = catalog()
        return cat.get(type_key).family if type_key in cat else "other"

    @staticmethod
    def doc_of(type_key: str) -> str:
        """The catalog's one-line description of a type key."""
        cat = catalog()
        return cat.get(type_key).doc if type_key in cat else ""
