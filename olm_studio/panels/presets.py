"""The presets gallery: every ``olm.models`` preset with its year and notable choices.

Read from ``olm.models.PRESETS`` (sorted by year, as in the reference page's timeline).
Opening one builds it on the ``meta`` device, so a 405B model opens as fast as GPT-2.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from olm_studio.canvas.looks import format_count

__all__ = ["PresetGallery", "preset_rows"]

_INTRO = ("A modern language model is mostly GPT-2 with better-chosen parts: RoPE, RMSNorm, "
          "SwiGLU and grouped-query attention, no biases, and mixture-of-experts at the "
          "frontier. Since 2025 the layers of one model differ (Gemma 3: five local to one "
          "global), attention is compressed (DeepSeek's latent attention) or given sinks "
          "(gpt-oss), and queries and keys are normalised (Qwen 3). Open a preset, then swap "
          "its parts and watch the figures change.")


def preset_rows() -> list[tuple[str, str, int, int, str]]:
    """(name, family, year, params, notable) of every preset, oldest first."""
    from olm.models import PRESETS

    rows = [(name, info.family, info.year, info.params, info.notable)
            for name, info in PRESETS.items()]
    return sorted(rows, key=lambda r: (r[2], r[1], r[3]))


class PresetGallery(QDialog):
    """Pick a preset to open.

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from preset")
        self.resize(900, 560)
        self.chosen: str | None = None
        intro = QLabel(_INTRO, self)
        intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter presets…")
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(["Model", "Family", "Year", "Params",
                                              "Notable choices"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for name, family, year, params, notable in preset_rows():
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = [name, family, str(year), format_count(params), notable]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setToolTip(notable)
                self.table.setItem(row, col, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.table.cellDoubleClicked.connect(lambda *_: self._accept())
        self.search.textChanged.connect(self._filter)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        if self.table.rowCount():
            self.table.selectRow(0)

    def names(self) -> list[str]:
        """Preset names in table order (visible ones only)."""
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if not self.table.isRowHidden(r)]

    def select(self, name: str) -> None:
        """Select the row of preset ``name``."""
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == name:
                self.table.selectRow(r)

    def _filter(self, text: str) -> None:
        needle = text.lower()
        for r in range(self.table.rowCount()):
            line = " ".join(self.table.item(r, c).text() for c in range(5)).lower()
            self.table.setRowHidden(r, needle not in line)

    def _accept(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.chosen = items[0].data(Qt.ItemDataRole.UserRole)
            self.accept()
