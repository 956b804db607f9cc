"""The palette: every catalog component grouped by family, searchable, draggable.

Each entry carries its type key as drag data (MIME type :data:`MIME`), so the canvas can
accept a drop on empty space, into a container or onto a wire. Double-clicking an entry
adds it to the model too (at the end of the selected container, or the model).
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDrag
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from olm.graph.catalog import catalog
from olm_studio.dragdrop import MIME, mime_for
from olm_studio.rich import rst_to_html, rst_to_plain, tooltip_html
from olm_studio.search import search_components
from olm_studio.theme import FAMILY_COLORS

__all__ = ["PalettePanel", "MIME", "group_for", "mime_for"]

_FAMILY_OF_GROUP = {"Embeddings": "embedding", "Attention": "attention", "Norms": "norm",
                    "Feed-forward": "feedforward", "Mixture of Experts": "moe",
                    "Structure": "structure", "Heads": "head", "Activations": "activation"}


def group_for(type_key: str) -> str:
    """The palette group a type key is listed under."""
    return catalog().get(type_key).group


class _Tree(QTreeWidget):
    def mimeData(self, items) -> QMimeData:  # noqa: N802, ANN001
        keys = [i.data(0, Qt.ItemDataRole.UserRole) for i in items]
        return mime_for(keys[0]) if keys and keys[0] else QMimeData()

    def startDrag(self, actions) -> None:  # noqa: N802, ANN001
        item = self.currentItem()
        key = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if not key:
            return
        drag = QDrag(self)
        drag.setMimeData(mime_for(key))
        drag.exec(Qt.DropAction.CopyAction)


class PalettePanel(QWidget):
    """Searchable list of components by family.

    Args:
        parent: the owning widget.
    """

    add_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search components…")
        self.search.setClearButtonEnabled(True)
        self.tree = _Tree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setIndentation(12)
        self.tree.setUniformRowHeights(True)
        self.description = QLabel("Drag a component onto the canvas, into a container or "
                                  "onto a wire.", self)
        self.description.setWordWrap(True)
        self.description.setMinimumHeight(48)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        layout.addWidget(self.description)
        self.tree.currentItemChanged.connect(self._describe)
        self.tree.itemEntered.connect(self._describe)
        self.tree.setMouseTracking(True)
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(self._double_clicked)

    def _populate(self) -> None:
        self.entries: dict[str, QTreeWidgetItem] = {}
        for group, specs in catalog().groups().items():
            family = _FAMILY_OF_GROUP.get(group, "other")
            head = QTreeWidgetItem([group])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setForeground(0, QBrush(QColor(FAMILY_COLORS.get(family, "#8c96a3"))))
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            self.tree.addTopLevelItem(head)
            for spec in specs:
                item = QTreeWidgetItem([spec.name])
                item.setData(0, Qt.ItemDataRole.UserRole, spec.name)
                item.setToolTip(0, tooltip_html(spec.name, spec.doc))
                item.setStatusTip(0, rst_to_plain(spec.doc))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                head.addChild(item)
                self.entries[spec.name] = item
            head.setExpanded(group not in ("Activations",))

    def filter(self, text: str) -> list[str]:
        """Show only entries whose name, alias or description match ``text``.

        Returns the shown type keys, best match first (see :mod:`olm_studio.search`); the
        best match becomes the current entry, so Enter or a double-click adds it.
        """
        needle = text.strip().lower()
        matches = search_components(needle) if needle else []
        rank = {name: i for i, name in enumerate(matches)}
        shown: list[str] = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            any_visible = False
            for j in range(head.childCount()):
                item = head.child(j)
                key = item.data(0, Qt.ItemDataRole.UserRole)
                visible = not needle or key in rank
                item.setHidden(not visible)
                any_visible |= visible
                if visible:
                    shown.append(key)
            head.setHidden(not any_visible)
            if needle and any_visible:
                head.setExpanded(True)
        shown.sort(key=lambda k: rank.get(k, 0))
        if needle and shown:
            self.tree.setCurrentItem(self.entries[shown[0]])
        return shown

    def visible_keys(self) -> list[str]:
        """Type keys currently listed (after the search filter)."""
        return [k for k, item in self.entries.items()
                if not item.isHidden() and not item.parent().isHidden()]

    def _describe(self, item: QTreeWidgetItem | None, *_: object) -> None:
        key = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if key:
            self.description.setText(f"<b>{key}</b>: {rst_to_html(catalog().get(key).doc)}")

    def _double_clicked(self, item: QTreeWidgetItem) -> None:
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if key:
            self.add_requested.emit(key)
