"""Quick add: a search box at the cursor (Tab or double-click); Enter adds the top match."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from olm.graph.catalog import catalog
from olm.graph.document import Graph
from olm_studio.rich import tooltip_html
from olm_studio.search import search_components

__all__ = ["QuickAdd", "search_components", "replace_target"]


def replace_target(graph: Graph, selection: list[str], type_key: str,
                   family_of: Callable[[str], str]) -> str | None:
    """The selected node a quick-added ``type_key`` should replace, or None to add it.

    Tab → "GQA" with an attention selected means "make this attention GQA", not "add a
    second attention" (which then failed validation): with exactly one component selected
    and of the same family as ``type_key``, that component is the one to replace.
    """
    if len(selection) != 1 or selection[0] not in graph.nodes:
        return None
    node = graph.nodes[selection[0]]
    if node.is_container or node.type == type_key:
        return None
    family = family_of(type_key)
    return selection[0] if family not in ("other", "structure") and \
        family_of(node.type) == family else None


class QuickAdd(QFrame):
    """The popup: a line edit over a list of matches.

    Args:
        parent: the widget it floats over (the canvas).
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("quickAdd")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Add component…")
        self.list = QListWidget(self)
        self.list.setMaximumHeight(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.setFixedWidth(280)
        self.edit.textChanged.connect(self._fill)
        self.edit.installEventFilter(self)
        self.list.itemActivated.connect(lambda item: self._choose(item.text()))
        self.hide()

    def popup(self, at: QPoint) -> None:
        """Show at ``at`` (parent coordinates), empty, focused."""
        self.edit.clear()
        self._fill("")
        self.adjustSize()
        x = min(max(0, at.x()), max(0, self.parentWidget().width() - self.width()))
        y = min(max(0, at.y()), max(0, self.parentWidget().height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.edit.setFocus()

    def _fill(self, text: str) -> None:
        self.list.clear()
        cat = catalog()
        for name in search_components(text)[:30]:
            item = QListWidgetItem(name)
            item.setToolTip(tooltip_html(name, cat.get(name).doc if name in cat else
                                         "A container: its parts run in order."))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def top_match(self) -> str | None:
        """The entry Enter would add."""
        item = self.list.currentItem()
        return item.text() if item else None

    def _choose(self, name: str | None) -> None:
        self.close_popup()
        if name:
            self.chosen.emit(name)

    def close_popup(self) -> None:
        """Hide and give the keyboard back to the canvas, so Ctrl+Z and Delete act on it.

        Hiding a focused line edit hands focus to the next widget in the chain (a text
        field elsewhere), which then swallowed Ctrl+Z until the canvas was clicked.
        """
        self.parentWidget().setFocus(Qt.FocusReason.PopupFocusReason)
        self.hide()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001
        if obj is self.edit and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.top_match())
                return True
            if key == Qt.Key.Key_Escape:
                self.close_popup()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.list.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
                return True
        return super().eventFilter(obj, event)
