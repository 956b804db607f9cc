"""Cut, copy, paste, duplicate and delete of the canvas selection.

The clipboard holds an OLM fragment as plain text (``olm.graph.fragments`` owns the
format); pasting goes through :class:`~olm_studio.edits.Edits`, one undo step each.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from olm.graph.document import SINGLE_CHILD
from olm.graph.fragments import copy_fragment
from olm_studio.controller import DocumentController
from olm_studio.edits import Edits

__all__ = ["CanvasClipboard"]


class CanvasClipboard:
    """Clipboard gestures on the controller's selection.

    Args:
        controller: the document controller (document and selection).
        edits: where the paste and delete edits go.
    """

    def __init__(self, controller: DocumentController, edits: Edits) -> None:
        self.controller = controller
        self.edits = edits

    def copy(self) -> None:
        """Copy the selection to the clipboard (as an OLM fragment)."""
        ids = self.controller.selection
        if not ids:
            return
        # Plain text (the fragment is JSON), not a QMimeData made in Python: Qt keeps the
        # clipboard's data until after the interpreter has gone, and destroying a
        # Python-made QMimeData then crashes the process on exit.
        QGuiApplication.clipboard().setText(copy_fragment(self.controller.graph, ids))

    def cut(self) -> None:
        """Copy, then delete the selection."""
        self.copy()
        self.delete_selection()

    def paste(self) -> list[str]:
        """Paste after the selected node (or at the end of the model)."""
        text = QGuiApplication.clipboard().text()
        if not text:
            return []
        container, index = self._insertion_point()
        return self.edits.paste(text, container, index)

    def _insertion_point(self) -> tuple[str, int | None]:
        graph = self.controller.graph
        sel = [i for i in self.controller.selection if i in graph.nodes]
        if not sel or sel[-1] == graph.root:
            return graph.root, None
        last = sel[-1]
        parent = graph.parent_of(last)
        node = graph.nodes[parent]
        if node.type in SINGLE_CHILD or last not in node.children:
            grand = graph.parent_of(parent)
            if grand is None:
                return graph.root, None
            return grand, graph.nodes[grand].children.index(parent) + 1
        return parent, node.children.index(last) + 1

    def duplicate(self) -> list[str]:
        """Copy and paste right after, in one gesture."""
        self.copy()
        return self.paste()

    def delete_selection(self) -> bool:
        """Delete the selected nodes."""
        return self.edits.delete(list(self.controller.selection))
