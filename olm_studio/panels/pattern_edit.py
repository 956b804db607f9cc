"""The inspector's editor for a Repeat's layer pattern, written as variant letters.

A heterogeneous stack's pattern reads best as letters, ``A A A A A B`` (the canvas titles
its variants A, B, ...), so that is what the field shows and accepts (digits work too).
An edit is one undoable ``SetParam``; the field follows undo/redo while it is not focused.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit

from olm.core.errors import OLMError
from olm.graph.repeat import PATTERN, pattern_from_text
from olm_studio.canvas.layer_strip import variant_letter

__all__ = ["PatternEdit", "pattern_text"]


def pattern_text(node: Any) -> str:
    """``A A A A A B`` for a Repeat node (its variants in order when no pattern is set)."""
    current = node.params.get(PATTERN, list(range(max(len(node.children), 1))))
    if not isinstance(current, list):
        return str(current)
    return " ".join(variant_letter(p) for p in current)


class PatternEdit(QLineEdit):
    """Edits one Repeat's ``pattern``.

    Args:
        controller: the document controller (its figures_changed signal refreshes the text).
        edits: the Studio's edits (one undo step per change).
        node_id: the Repeat.
    """

    def __init__(self, controller: Any, edits: Any, node_id: str) -> None:
        super().__init__()
        self.controller, self.edits, self.node_id = controller, edits, node_id
        self.setToolTip("Which variant each layer uses, cycled over the layers: A A A A A B")
        self.refresh()
        self.editingFinished.connect(self.commit)
        controller.figures_changed.connect(lambda _f: self.refresh())

    def refresh(self) -> None:
        """Show the document's pattern (unless the user is typing)."""
        node = self.controller.graph.nodes.get(self.node_id)
        if node is not None and not self.hasFocus():
            self.setText(pattern_text(node))

    def commit(self) -> bool:
        """Set the typed pattern; a malformed one is reported and the field reset."""
        node = self.controller.graph.nodes.get(self.node_id)
        if node is None or self.text().strip() == pattern_text(node):
            return False
        try:
            pattern = pattern_from_text(self.text())
        except OLMError as err:
            self.edits.report(str(err))
            self.setText(pattern_text(node))
            return False
        ok = self.edits.set_param(self.node_id, PATTERN, pattern)
        if not ok:
            self.setText(pattern_text(node))
        return ok
