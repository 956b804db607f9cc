"""The Diagnostics tab: every problem with the model; a click selects and centres its node."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from olm_studio.controller import DocumentController, Figures

__all__ = ["DiagnosticsPanel"]


class DiagnosticsPanel(QWidget):
    """List of diagnostics (severity, component, message).

    Args:
        controller: the document controller whose figures are shown.
        parent: the owning widget.
    """

    node_activated = Signal(str)

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["", "Component", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        controller.figures_changed.connect(self.show_figures)
        self.show_figures(controller.figures)

    def show_figures(self, figures: Figures) -> None:
        """List ``figures.diagnostics`` (errors first)."""
        self.tree.clear()
        graph = self.controller.graph
        ordered = sorted(figures.diagnostics, key=lambda d: d.severity != "error")
        for d in ordered:
            node = graph.nodes.get(d.node_id)
            label = graph.name if d.node_id == graph.root else (node.type if node else "?")
            mark = "✗" if d.severity == "error" else "⚠"
            item = QTreeWidgetItem([mark, label, d.message])
            item.setData(0, Qt.ItemDataRole.UserRole, d.node_id)
            colour = QColor("#ff6b6b" if d.severity == "error" else "#f0b43c")
            item.setForeground(0, QBrush(colour))
            item.setToolTip(2, d.message)
            self.tree.addTopLevelItem(item)
        if not ordered:
            item = QTreeWidgetItem(["✓", "", "No problems: the model can be built."])
            item.setForeground(0, QBrush(QColor("#3fae6a")))
            self.tree.addTopLevelItem(item)

    def count(self) -> int:
        """Number of diagnostics listed."""
        return len(self.controller.figures.diagnostics)

    def _clicked(self, item: QTreeWidgetItem) -> None:
        node_id = item.data(0, Qt.ItemDataRole.UserRole)
        if node_id:
            self.node_activated.emit(node_id)
