"""The toolbar's preset chooser: opens a preset, and names the open model.

While the open document is a preset unchanged, the combo shows that preset; after any
edit (or for a file) it shows "Custom: <name>". Choosing a preset goes through the
unsaved-changes guard like every other way of replacing the document.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtWidgets import QComboBox

from olm_studio.controller import DocumentController
from olm_studio.file_kinds import REPLACES_DOCUMENT

__all__ = ["PresetChooser"]


class PresetChooser:
    """Fills ``combo`` with the presets and keeps it naming the open model.

    Args:
        combo: the toolbar's combo box.
        controller: the document controller (its changes re-name the combo).
        maybe_save: the unsaved-changes guard; False cancels the choice.
        open_preset: opens a preset by name.
    """

    def __init__(self, combo: QComboBox, controller: DocumentController,
                 maybe_save: Callable[[], bool], open_preset: Callable[[str], bool]) -> None:
        from olm.models import PRESETS

        self.combo = combo
        self.controller = controller
        self._maybe_save = maybe_save
        self._open_preset = open_preset
        self._origin: str | None = None
        combo.setProperty(REPLACES_DOCUMENT, True)
        combo.blockSignals(True)
        combo.addItem("Custom", None)
        for name, info in sorted(PRESETS.items(), key=lambda kv: (kv[1].year, kv[0])):
            combo.addItem(f"{name}  ({info.year})", name)
        combo.blockSignals(False)
        combo.activated.connect(self._chosen)
        controller.document_replaced.connect(self._forget)
        controller.undo_stack.indexChanged.connect(lambda _i: self.sync())
        controller.dirty_changed.connect(lambda _d: self.sync())

    def opened(self, name: str) -> None:
        """Preset ``name`` was just opened: name it until the first edit."""
        self._origin = name
        self.sync()

    def _forget(self) -> None:
        self._origin = None  # opened() sets it again right after a preset is opened
        self.sync()

    def _chosen(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name and self._maybe_save():
            self._open_preset(name)
        else:
            self.sync()  # cancelled: keep naming the open model

    def sync(self) -> None:
        """Name the open model: its preset while it is that preset unchanged, else Custom."""
        combo = self.combo
        c = self.controller
        if not (shiboken6.isValid(combo) and shiboken6.isValid(c.undo_stack)):
            return  # the window is being torn down
        name = self._origin if c.pristine else None
        index = combo.findData(name) if name else 0
        combo.setItemText(0, "Custom" if name is None and c.graph.name in ("", "model")
                          else f"Custom: {c.graph.name}")
        combo.setCurrentIndex(max(0, index))
        combo.setToolTip(f"The open model ({c.graph.name}); choose a preset to open it")
