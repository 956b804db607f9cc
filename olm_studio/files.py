"""File handling: New, Open, Save, Save As, Recent, Import/Export Python, autosave.

Every way of losing unsaved edits (New, Open, Quit) goes through :meth:`maybe_save`. While
the document has unsaved edits it is autosaved every few seconds to a recovery file in the
settings folder; a clean exit deletes it, so finding one at start means the last session
crashed, and the app offers it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QFileDialog, QMenu, QMessageBox

from olm.core.errors import OLMError
from olm.graph.document import Graph
from olm.graph.project import load, save

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["FileActions", "PROJECT_FILTER", "PYTHON_FILTER"]

PROJECT_FILTER = "OLM projects (*.olm.json);;All files (*)"
PYTHON_FILTER = "Python files (*.py);;All files (*)"
AUTOSAVE_MS = 5000


def _project_path(path: str) -> Path:
    p = Path(path)
    return p if p.name.endswith(".olm.json") else p.with_name(p.name.removesuffix(".json")
                                                              + ".olm.json")


class FileActions:
    """The File menu's behaviour for one main window.

    Args:
        window: the main window whose document is opened and saved.
        recent_menu: File → Open Recent, which this fills from the settings.
        preset_combo: the toolbar's preset chooser, which this fills and follows.
    """

    def __init__(self, window: MainWindow, recent_menu: QMenu, preset_combo: QComboBox) -> None:
        self.w = window
        self.recent_menu = recent_menu
        self.preset_combo = preset_combo
        self.controller = window.controller
        self.settings = window.settings
        self.autosave_timer = QTimer(window)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self._owns_recovery = False  # True once this session wrote the recovery file
        self.controller.dirty_changed.connect(self._on_dirty)
        self.refresh_recent_menu()
        self._fill_preset_combo()

    # -- messages -------------------------------------------------------------------------
    def error(self, title: str, message: str) -> None:
        """Tell the user something failed (a dialog, or the status bar in screenshot mode)."""
        if self.w.screenshot_mode:
            self.w.statusBar().showMessage(message, 10000)
            print(f"olm-studio: {message}")
            return
        QMessageBox.warning(self.w, title, message)

    # -- opening --------------------------------------------------------------------------
    def _set(self, graph: Graph, path: Path | None) -> None:
        self.controller.set_document(graph, path)
        if path is not None and path.name.endswith(".olm.json"):
            self.settings.add_recent(path)
            self.refresh_recent_menu()

    def open_preset(self, name: str) -> bool:
        """Open preset ``name`` (built on the meta device: no weights)."""
        from olm.graph.source import preset_graph

        try:
            graph = preset_graph(name)
        except OLMError as err:
            self.error("Cannot open preset", str(err))
            return False
        self._set(graph, None)
        self._select_combo(name)
        return True

    def open_path(self, path: Path, quiet: bool = False) -> bool:
        """Open a project file, checkpoint folder or ``.py`` file."""
        from olm.graph.source import from_source

        try:
            graph = from_source(str(path))
        except (OLMError, OSError) as err:
            if not quiet:
                self.error("Cannot open file", str(err))
            return False
        self._set(graph, Path(path) if str(path).endswith(".olm.json") else None)
        return True

    def open_spec(self, spec: str) -> bool:
        """Open ``spec``: a path if it exists, else a preset name."""
        if Path(spec).exists():
            return self.open_path(Path(spec))
        return self.open_preset(spec)

    def open_dialog(self) -> None:
        """Ask for a file and open it (after the unsaved-changes prompt)."""
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.w, "Open model", "", PROJECT_FILTER)
        if path:
            self.open_path(Path(path))

    def new(self) -> None:
        """An empty model with the usual variables."""
        if not self.maybe_save():
            return
        graph = Graph.new("model", {"vocab_size": 256, "embed_dim": 64, "num_heads": 4,
                                    "num_layers": 2, "max_seq_len": 256})
        self._set(graph, None)

    # -- recent ---------------------------------------------------------------------------
    def refresh_recent_menu(self) -> None:
        """Rebuild File → Open Recent from the settings."""
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        menu.setEnabled(bool(recent))

    def _open_recent(self, path: str) -> None:
        if self.maybe_save():
            self.open_path(Path(path))

    # -- presets combo --------------------------------------------------------------------
    def _fill_preset_combo(self) -> None:
        from olm.models import PRESETS

        combo = self.preset_combo
        combo.blockSignals(True)
        combo.addItem("Presets…", None)
        for name, info in sorted(PRESETS.items(), key=lambda kv: (kv[1].year, kv[0])):
            combo.addItem(f"{name}  ({info.year})", name)
        combo.blockSignals(False)
        combo.activated.connect(self._combo_chosen)

    def _combo_chosen(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        if name and self.maybe_save():
            self.open_preset(name)

    def _select_combo(self, name: str) -> None:
        combo = self.preset_combo
        index = combo.findData(name)
        combo.setCurrentIndex(max(0, index))

    # -- saving ---------------------------------------------------------------------------
    def save_to(self, path: Path) -> bool:
        """Write the document to ``path`` (``.olm.json``); False if it failed."""
        try:
            save(self.controller.graph, path)
        except (OLMError, OSError, ValueError) as err:
            self.error("Cannot save", f"{path}: {err}")
            return False
        self.controller.mark_saved(path)
        self.settings.add_recent(path)
        self.refresh_recent_menu()
        self.stop_autosave(remove=True)
        self.w.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def save(self) -> bool:
        """Save to the current path, or ask for one."""
        if self.controller.path is None:
            return self.save_as()
        return self.save_to(self.controller.path)

    def save_as(self) -> bool:
        """Ask for a path and save there."""
        suggested = f"{self.controller.graph.name}.olm.json"
        path, _ = QFileDialog.getSaveFileName(self.w, "Save model", suggested, PROJECT_FILTER)
        return self.save_to(_project_path(path)) if path else False

    def maybe_save(self) -> bool:
        """The unsaved-changes prompt: True when it is fine to discard the document."""
        if not self.controller.dirty:
            return True
        answer = QMessageBox.question(
            self.w, "Unsaved changes",
            f"Save the changes to {self.controller.graph.name} before continuing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -- Python ---------------------------------------------------------------------------
    def export_python_to(self, path: Path) -> bool:
        """Write the generated Python to ``path``."""
        from olm.graph.to_python import to_python

        try:
            Path(path).write_text(to_python(self.controller.graph), encoding="utf-8")
        except (OLMError, OSError) as err:
            self.error("Cannot export", f"{path}: {err}")
            return False
        self.w.statusBar().showMessage(f"Exported {path}", 4000)
        return True

    def export_python(self) -> None:
        """Ask for a ``.py`` path and export."""
        name = f"{self.controller.graph.name.lower()}.py"
        path, _ = QFileDialog.getSaveFileName(self.w, "Export Python", name, PYTHON_FILTER)
        if path:
            self.export_python_to(Path(path))

    def import_python_from(self, path: Path) -> bool:
        """Parse (never execute) a ``.py`` file onto the canvas."""
        from olm.graph.from_python import from_python

        try:
            source = Path(path).read_text(encoding="utf-8")
            graph = from_python(source, filename=str(path))
        except (OLMError, OSError, UnicodeDecodeError, SyntaxError) as err:
            self.error("Cannot import", str(err))
            return False
        if graph.name == "model":
            graph.name = Path(path).stem
        self._set(graph, None)
        self.controller.set_modified(True)
        return True

    def import_python(self) -> None:
        """Ask for a ``.py`` file and import it."""
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.w, "Import Python", "", PYTHON_FILTER)
        if path:
            self.import_python_from(Path(path))

    # -- autosave and recovery ------------------------------------------------------------
    def _on_dirty(self, dirty: bool) -> None:
        if self.w.screenshot_mode:
            return
        if dirty and not self.autosave_timer.isActive():
            self.autosave_timer.start()
        elif not dirty:
            self.stop_autosave(remove=True)

    def autosave(self) -> None:
        """Write the document to the recovery file (kept only while edits are unsaved)."""
        if not self.controller.dirty:
            return
        try:
            self._owns_recovery = True
            save(self.controller.graph, self.settings.recovery_path)
            self.settings.recovery_meta_path.write_text(
                str(self.controller.path or ""), encoding="utf-8")
        except (OLMError, OSError, ValueError):
            pass  # autosave must never interrupt editing

    def stop_autosave(self, remove: bool) -> None:
        """Stop autosaving; with ``remove`` delete this session's recovery file.

        A recovery file left by a crashed earlier session is only removed once the user
        has answered :meth:`offer_recovery`.
        """
        self.autosave_timer.stop()
        if remove and self._owns_recovery:
            self._drop_recovery()

    def _drop_recovery(self) -> None:
        self._owns_recovery = False
        for p in (self.settings.recovery_path, self.settings.recovery_meta_path):
            p.unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """If the last session crashed with unsaved edits, offer them back."""
        path = self.settings.recovery_path
        if not path.exists():
            return False
        answer = QMessageBox.question(
            self.w, "Recover unsaved work",
            "OLM Studio did not shut down cleanly last time. Restore the unsaved model?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            self._drop_recovery()
            return False
        try:
            graph = load(path)
        except OLMError as err:
            self.error("Cannot recover", str(err))
            self._drop_recovery()
            return False
        meta = self.settings.recovery_meta_path
        original = meta.read_text(encoding="utf-8").strip() if meta.exists() else ""
        self.controller.set_document(graph, Path(original) if original else None)
        self._owns_recovery = True
        self.controller.set_modified(True)
        self.w.statusBar().showMessage("Recovered the unsaved model from the last session", 6000)
        return True
