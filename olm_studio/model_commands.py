"""Menu commands about the open model: gallery, compare, rename, variables, measured loss.

Each opens a dialog or moves focus and hands the result to the owner that acts on it
(the file actions, the editor, the pretrained session); none edits the document itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["ModelCommands"]


class ModelCommands:
    """The Model menu's dialogs and the preset gallery.

    Args:
        window: the main window (the dialogs' parent and the owners they hand results to).
    """

    def __init__(self, window: MainWindow) -> None:
        self._w = window

    def table(self) -> dict:
        """The commands this object answers, by name (see :class:`~olm_studio.commands.Commands`)."""
        return {"presets": self.show_presets, "compare": self.compare_dialog,
                "rename": self.rename_model, "variables": self.focus_variables,
                "measure_loss": self.measure_pretrained_loss}

    def show_presets(self) -> None:
        """File → New from Preset…: the gallery."""
        from olm_studio.panels.presets import PresetGallery

        w = self._w
        gallery = PresetGallery(w)
        accepted = gallery.exec()
        w.files.refocus()
        if accepted and gallery.chosen and w.files.maybe_save():
            w.files.open_preset(gallery.chosen)

    def compare_dialog(self) -> None:
        """File → Compare with…"""
        from olm_studio.panels.compare import CompareDialog

        dialog = CompareDialog(self._w.controller.graph, self._w)
        dialog.choose_other()
        if dialog.other is not None:
            dialog.exec()

    def rename_model(self) -> None:
        """Model → Rename Model…"""
        w = self._w
        name, ok = QInputDialog.getText(w, "Rename model", "Model name:",
                                        text=w.controller.graph.name)
        if ok and name.strip():
            w.canvas.edits.rename_model(name.strip())

    def focus_variables(self) -> None:
        """Model → Edit Variables."""
        self._w.inspector_dock.show()
        self._w.variables.setFocus()

    def measure_pretrained_loss(self) -> None:
        """Model → Measure Loss Before/After Edits (needs a pretrained model open)."""
        w = self._w
        if w.pretrained.opened is None:
            w.statusBar().showMessage("Open a pretrained model first (File → Open "
                                      "pretrained…)", 8000)
            return
        from olm.core.errors import OLMError

        try:
            w.pretrained.measure_loss()
        except OLMError as err:
            w.files.error("Cannot measure the loss", str(err))
