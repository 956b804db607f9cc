"""Import and export beside the project format: Python source and Hugging Face folders.

Python is parsed, never executed; a Hugging Face folder gives its architecture only
(its weights are opened by File → Open Pretrained…). Every import replaces the document
through the file actions' unsaved-changes guard.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from olm.core.errors import OLMError
from olm_studio.file_kinds import PYTHON_FILTER

if TYPE_CHECKING:
    from olm_studio.files import FileActions

__all__ = ["ImportExport"]


class ImportExport:
    """File → Import Python…, Import Pretrained Folder…, Export Python….

    Args:
        files: the window's file actions (guard, dialogs, messages, opening a document).
    """

    def __init__(self, files: FileActions) -> None:
        self.files = files
        self.controller = files.controller

    def _status(self, message: str) -> None:
        self.files.w.statusBar().showMessage(message, 4000)

    def export_python_to(self, path: Path) -> bool:
        """Write the generated Python to ``path``."""
        from olm.core.files import atomic_write_text
        from olm.graph.to_python import to_python

        try:
            atomic_write_text(path, to_python(self.controller.graph))
        except (OLMError, OSError) as err:
            self.files.error("Cannot export", f"{path}: {err}")
            return False
        self._status(f"Exported {path}")
        return True

    def export_python(self) -> None:
        """Ask for a ``.py`` path and export."""
        name = f"{self.controller.graph.name.lower()}.py"
        path = self.files.ask_save("Export Python", name, PYTHON_FILTER)
        if path:
            self.export_python_to(Path(path))

    def import_python_from(self, path: Path) -> bool:
        """Parse (never execute) a ``.py`` file onto the canvas."""
        from olm.graph.from_python import from_python

        try:
            source = Path(path).read_text(encoding="utf-8")
            graph = from_python(source, filename=str(path))
        except (OLMError, OSError, UnicodeDecodeError, SyntaxError) as err:
            self.files.error("Cannot import", str(err))
            return False
        if graph.name == "model":
            graph.name = Path(path).stem
        self.files.set_document(graph, None)
        self.controller.set_modified(True)
        return True

    def import_python(self) -> None:
        """Ask for a ``.py`` file and import it."""
        if not self.files.maybe_save():
            return
        path = self.files.ask_open("Import Python", PYTHON_FILTER)
        if path:
            self.import_python_from(Path(path))

    def import_pretrained_from(self, folder: Path) -> bool:
        """Read a local Hugging Face folder's architecture onto the canvas."""
        from olm.interop.hf import read_hf

        try:
            graph = read_hf(folder).graph
        except (OLMError, OSError, ValueError) as err:
            self.files.error("Cannot import", f"{folder}: {err}")
            return False
        graph.name = Path(folder).name or graph.name
        self.files.set_document(graph, None)
        self.controller.set_modified(True)
        return True

    def import_pretrained(self) -> None:
        """Ask for a Hugging Face folder (config.json + safetensors) and import it."""
        if not self.files.maybe_save():
            return
        folder = QFileDialog.getExistingDirectory(self.files.w, "Import pretrained folder", "")
        self.files.refocus()
        if folder:
            self.import_pretrained_from(Path(folder))
