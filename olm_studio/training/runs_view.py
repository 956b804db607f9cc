"""The runs list: every kept run with its status; tick runs to overlay their curves.

Ticking is separate from selecting: the *selected* run is the one Sample, Resume and
Export act on; the *ticked* runs are the ones drawn. A run's colour swatch matches its
curves.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from olm_studio.training.history import RunHistory
from olm_studio.training.runs import Run

__all__ = ["RunsList"]

_STATUS_COLORS = {"running": "#3f8fd2", "finished": "#3fae6a", "stopped": "#d9a23b",
                  "failed": "#d9534f"}
_ID_ROLE = Qt.ItemDataRole.UserRole


def _swatch(color: str | None) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color) if color else QColor(0, 0, 0, 0))
    return QIcon(pixmap)


def _fmt(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.3f}"


class RunsList(QTreeWidget):
    """Runs with status, step and last losses.

    Signals:
        ticked_changed(): the set of overlaid runs changed.
        current_run_changed(str): the selected run id ("" for none).
        reuse_requested(str): "Use these settings" was chosen on a run.
        delete_requested(str): "Delete run…" was chosen on a run.
        rename_requested(str, str): a run's name was edited (run id, new name); double-click
            or F2 on the name edits it.

    Args:
        parent: the owning widget.
    """

    ticked_changed = Signal()
    current_run_changed = Signal(str)
    reuse_requested = Signal(str)
    delete_requested = Signal(str)
    rename_requested = Signal(str, str)
    COLUMNS = ("run", "status", "step", "loss", "val loss")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(len(self.COLUMNS))
        self.setHeaderLabels(list(self.COLUMNS))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._updating = False
        self._tick_states: dict[str, Qt.CheckState] = {}
        self._names: dict[str, str] = {}
        self.itemChanged.connect(self._on_item_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.currentItemChanged.connect(
            lambda item, _old: self.current_run_changed.emit(item.data(0, _ID_ROLE) if item else ""))

    def _context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        run_id = item.data(0, _ID_ROLE)
        menu = QMenu(self)
        menu.addAction("Use these settings", lambda: self.reuse_requested.emit(run_id))
        menu.addAction("Rename", lambda: self.editItem(item, 0))
        menu.addAction("Delete run…", lambda: self.delete_requested.emit(run_id))
        menu.exec(self.viewport().mapToGlobal(pos))

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        # itemChanged fires for text and icon edits too: a new name, or a new tick state.
        run_id = item.data(0, _ID_ROLE)
        if column != 0 or self._updating:
            return
        if item.text(0) != self._names.get(run_id):
            name = item.text(0).strip()
            if name:
                self._names[run_id] = name
                self.rename_requested.emit(run_id, name)
            self._updating = True
            item.setText(0, self._names.get(run_id, ""))
            self._updating = False
        state = item.checkState(0)
        if self._tick_states.get(run_id) == state:
            return
        self._tick_states[run_id] = state
        self.ticked_changed.emit()

    def add_run(self, run: Run, ticked: bool = False) -> None:
        """Add (or refresh) a run's row; newest rows go on top."""
        item = self._items.get(run.id)
        self._updating = True
        try:
            if item is None:
                item = QTreeWidgetItem()
                item.setData(0, _ID_ROLE, run.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemIsEditable)
                state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
                item.setCheckState(0, state)
                self._tick_states[run.id] = state
                self.insertTopLevelItem(0, item)
                self._items[run.id] = item
            item.setText(0, run.name)
            self._names[run.id] = run.name
            item.setToolTip(0, str(run.path))
            status = run.status + (f": {run.reason}" if run.reason else "")
            item.setText(1, run.status)
            item.setToolTip(1, status)
            item.setForeground(1, QColor(_STATUS_COLORS.get(run.status, "#888888")))
        finally:
            self._updating = False

    def update_figures(self, run_id: str, history: RunHistory) -> None:
        """Show the run's latest step and losses."""
        item = self._items.get(run_id)
        if item is None:
            return
        total = f"/{history.total_steps}" if history.total_steps else ""
        item.setText(2, f"{history.last_step}{total}")
        item.setText(3, _fmt(history.loss_smooth.last()))
        item.setText(4, _fmt(history.val_loss.last()))

    def set_color(self, run_id: str, color: str | None) -> None:
        if run_id in self._items:
            self._updating = True
            try:
                self._items[run_id].setIcon(0, _swatch(color))
            finally:
                self._updating = False

    def remove_run(self, run_id: str) -> None:
        item = self._items.pop(run_id, None)
        self._tick_states.pop(run_id, None)
        if item is not None:
            self.takeTopLevelItem(self.indexOfTopLevelItem(item))

    def run_ids(self) -> list[str]:
        return list(self._items)

    def ticked(self) -> list[str]:
        """Ids of the runs to overlay, oldest first."""
        return [rid for rid, item in self._items.items()
                if item.checkState(0) == Qt.CheckState.Checked]

    def set_ticked(self, run_id: str, ticked: bool) -> None:
        item = self._items.get(run_id)
        if item is not None:
            item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def current_id(self) -> str:
        item = self.currentItem()
        return item.data(0, _ID_ROLE) if item is not None else ""

    def select(self, run_id: str) -> None:
        item = self._items.get(run_id)
        if item is not None:
            self.setCurrentItem(item)

    def status_text(self, run_id: str) -> str:
        """The status cell's full text (status and reason), as its tooltip shows it."""
        item = self._items.get(run_id)
        return item.toolTip(1) if item is not None else ""
