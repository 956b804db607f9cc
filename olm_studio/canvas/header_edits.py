"""Clicks on a container's header: a Repeat's count, a Parallel's merge.

Small dialogs and menus that end in one :class:`~olm_studio.edits.Edits` call; a
Repeat bound to a variable keeps its binding and the variable is edited instead.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from olm_studio.controller import DocumentController
from olm_studio.edits import Edits

__all__ = ["HeaderEdits"]


class HeaderEdits:
    """Header gestures of Repeat and Parallel containers.

    Args:
        controller: the document controller.
        edits: where the edits go.
        parent: the widget the dialogs and menus belong to.
    """

    def __init__(self, controller: DocumentController, edits: Edits, parent: QWidget) -> None:
        self.controller = controller
        self.edits = edits
        self._parent = parent

    def edit_header(self, node_id: str) -> None:
        """Repeat: ask for the count; Parallel: choose the merge."""
        node = self.controller.graph.nodes[node_id]
        if node.type == "Repeat":
            self.ask_repeat_count(node_id)
        elif node.type == "Parallel":
            self.merge_menu(node_id).exec(self._parent.cursor().pos())

    def ask_repeat_count(self, node_id: str) -> None:
        """A small dialog for a Repeat's count."""
        raw = self.controller.graph.nodes[node_id].params.get("num_repeat", 1)
        current = self.controller.figures.env.get(raw["var"]) if isinstance(raw, dict) and \
            "var" in raw else raw
        count, ok = QInputDialog.getInt(self._parent, "Repeat count", "Copies:",
                                        int(current) if isinstance(current, int) else 2, 1, 1024)
        if ok:
            self.set_repeat_count(node_id, count)

    def set_repeat_count(self, node_id: str, count: int) -> bool:
        """Set the count; a Repeat bound to a variable keeps the binding and edits it."""
        raw = self.controller.graph.nodes[node_id].params.get("num_repeat")
        if isinstance(raw, dict) and "var" in raw:
            return self.edits.set_variable(raw["var"], int(count))
        return self.edits.set_repeat_count(node_id, int(count))

    def merge_menu(self, node_id: str) -> QMenu:
        """A menu of a Parallel's merges, the current one ticked."""
        menu = QMenu(self._parent)
        current = self.controller.graph.nodes[node_id].params.get("merge", "sum")
        for merge in ("sum", "mean", "concat"):
            action = menu.addAction(merge)
            action.setCheckable(True)
            action.setChecked(merge == current)
            action.triggered.connect(lambda _=False, m=merge: self.edits.set_merge(node_id, m))
        return menu
