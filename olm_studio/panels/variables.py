"""The Model panel: the model variables (``vocab_size``, ``embed_dim``, ...).

Each row edits one variable: a number, or an expression over earlier variables
(``4 * embed_dim``). Every change is an undoable edit and updates every node bound to
the variable at once. Variables still in use cannot be deleted (the refusal says where).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from olm.graph.commands import UNSET
from olm_studio.controller import DocumentController

__all__ = ["VariablesPanel", "parse_variable"]


def parse_variable(text: str) -> Any:
    """A typed value from what the user typed: int, float, bool, or an expression."""
    text = text.strip()
    if text in ("True", "False"):
        return text == "True"
    cleaned = text.replace("_", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        pass
    if text.startswith(("'", '"')) and text.endswith(("'", '"')):
        return text[1:-1]
    return {"expr": text}


def _show(value: Any) -> str:
    if isinstance(value, dict) and "expr" in value:
        return str(value["expr"])
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(value) if isinstance(value, str) else str(value)


class VariablesPanel(QWidget):
    """Table of model variables with add/delete.

    Args:
        controller: the document controller.
        parent: the owning widget.
    """

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        title = QLabel("Model variables", self)
        title.setObjectName("sectionTitle")
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Variable", "Value", "Result"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.new_name = QLineEdit(self)
        self.new_name.setPlaceholderText("name")
        self.new_value = QLineEdit(self)
        self.new_value.setPlaceholderText("value or expression")
        add = QPushButton("Add", self)
        add.clicked.connect(self._add)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(self._delete)
        row = QHBoxLayout()
        row.addWidget(self.new_name, 2)
        row.addWidget(self.new_value, 3)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(add)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(title)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addLayout(buttons)
        self._filling = False
        self.table.itemChanged.connect(self._edited)
        controller.figures_changed.connect(lambda _f: self.refresh())
        controller.document_replaced.connect(self.refresh)
        self.refresh()

    @property
    def edits(self):  # noqa: ANN201
        """The window's edit layer."""
        return self.window().canvas.edits

    def refresh(self) -> None:
        """Refill the table from the document."""
        graph = self.controller.graph
        env = self.controller.figures.env
        self._filling = True
        self.table.setRowCount(len(graph.variables))
        for i, (name, value) in enumerate(graph.variables.items()):
            key = QTableWidgetItem(name)
            key.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            val = QTableWidgetItem(_show(value))
            resolved = env.get(name)
            result = QTableWidgetItem("" if resolved is None or not isinstance(value, dict)
                                      else f"{resolved:,}" if isinstance(resolved, int)
                                      else str(resolved))
            result.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for col, item in enumerate((key, val, result)):
                self.table.setItem(i, col, item)
        self._filling = False

    def row_of(self, name: str) -> int:
        """Table row of variable ``name`` (-1 if absent)."""
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == name:
                return i
        return -1

    def _edited(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 1:
            return
        name = self.table.item(item.row(), 0).text()
        value = parse_variable(item.text())
        if value != self.controller.graph.variables.get(name):
            if not self.edits.set_variable(name, value):
                self.refresh()

    def _add(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            return
        if self.edits.set_variable(name, parse_variable(self.new_value.text() or "0")):
            self.new_name.clear()
            self.new_value.clear()

    def _delete(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.edits.set_variable(self.table.item(row, 0).text(), UNSET)
