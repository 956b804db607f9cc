"""File handling: New, Open, Save, Save As, Recent, Import/Export Python, autosave.

Every way of replacing or closing the document (New, the preset gallery and combo, Open,
Open Recent, Import Python, Import Pretrained Folder, a file dropped on the window, Quit,
closing the window) goes through one guard, :meth:`FileActions.maybe_save`; the menu
actions that do so carry the Qt property ``replaces_document`` so a test can find every
one of them from the menus themselves. After a file dialog closes, keyboard focus goes
back to the canvas, so Ctrl+N / Ctrl+O work at once. While
the document has unsaved edits it is autosaved every few seconds to a recovery file in the
settings folder; a clean exit deletes it, so finding one at start means the last session
crashed, and the app offers it back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QFileDialog, QMenu, QMessageBox

from olm.core.errors import OLMError
from olm.graph.document import Graph
from olm.graph.project import load, save
from olm_studio.file_kinds import PROJECT_FILTER, PYTHON_FILTER, REPLACES_DOCUMENT
from olm_studio.import_export import ImportExport
from olm_studio.instance import live_owner, owner_path, owner_record
from olm_studio.preset_combo import PresetChooser

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["FileActions", "PROJECT_FILTER", "PYTHON_FILTER", "REPLACES_DOCUMENT"]

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
        self.presets = PresetChooser(preset_combo, window.controller, self.maybe_save,
                                     self.open_preset)
        self.imports = ImportExport(self)

    # -- messages -------------------------------------------------------------------------
    def error(self, title: str, message: str) -> None:
        """Tell the user something failed (a dialog, or the status bar in screenshot mode)."""
        if self.w.screenshot_mode:
            print(f"olm-studio: {message}", file=sys.stderr)
            return
        QMessageBox.warning(self.w, title, message)

    # -- opening --------------------------------------------------------------------------
    def set_document(self, graph: Graph, path: Path | None) -> None:
        """Show ``graph`` (from ``path``, if it is a project file: then it is also recent)."""
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
        self.set_document(graph, None)
        self.presets.opened(name)
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
        self.set_document(graph, Path(path) if str(path).endswith(".olm.json") else None)
        return True

    def open_dropped(self, paths: list[Path]) -> bool:
        """A file dropped on the window: ask about unsaved edits, then open the first."""
        if not paths or not self.maybe_save():
            return False
        return self.open_path(paths[0])

    def open_spec(self, spec: str) -> bool:
        """Open ``spec``: a path if it exists, else a preset name."""
        if Path(spec).exists():
            return self.open_path(Path(spec))
        return self.open_preset(spec)

    def open_dialog(self) -> None:
        """Ask for a file and open it (after the unsaved-changes prompt)."""
        if not self.maybe_save():
            return
        path = self.ask_open("Open model", PROJECT_FILTER)
        if path:
            self.open_path(Path(path))

    def ask_open(self, title: str, filters: str) -> str:
        """A file chosen in the Open dialog ("" when cancelled); focus back on the canvas."""
        path, _ = QFileDialog.getOpenFileName(self.w, title, "", filters)
        self.refocus()
        return path

    def ask_save(self, title: str, suggested: str, filters: str) -> str:
        """A path chosen in the Save dialog ("" when cancelled); focus back on the canvas."""
        path, _ = QFileDialog.getSaveFileName(self.w, title, suggested, filters)
        self.refocus()
        return path

    def refocus(self) -> None:
        """Give keyboard focus back to the window's canvas (after a dialog closed)."""
        self.w.activateWindow()
        self.w.canvas.view.setFocus()

    def new(self) -> None:
        """An empty model with the usual variables."""
        if not self.maybe_save():
            return
        graph = Graph.new("model", {"vocab_size": 256, "embed_dim": 64, "num_heads": 4,
                                    "num_layers": 2, "max_seq_len": 256})
        self.set_document(graph, None)

    # -- recent ---------------------------------------------------------------------------
    def refresh_recent_menu(self) -> None:
        """Rebuild File → Open Recent from the settings."""
        menu = self.recent_menu
        for old in menu.actions():  # not clear(): the triggering action may be running
            menu.removeAction(old)
            old.deleteLater()
        recent = self.settings.recent_files()
        for path in recent:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setProperty(REPLACES_DOCUMENT, True)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        menu.setEnabled(bool(recent))

    def _open_recent(self, path: str) -> None:
        if self.maybe_save():
            self.open_path(Path(path))

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
        path = self.ask_save("Save model", suggested, PROJECT_FILTER)
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
        if not self._owns_recovery and live_owner(owner_path(self.settings.recovery_path)):
            return  # another running instance's unsaved work: never overwrite it
        try:
            self._owns_recovery = True
            save(self.controller.graph, self.settings.recovery_path)
            self.settings.recovery_meta_path.write_text(
                str(self.controller.path or ""), encoding="utf-8")
            owner_path(self.settings.recovery_path).write_text(owner_record(), encoding="ascii")
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
        for p in (self.settings.recovery_path, self.settings.recovery_meta_path,
                  owner_path(self.settings.recovery_path)):
            p.unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """If the last session crashed with unsaved edits, offer them back (a recovery file
        of another instance that is still running is left alone)."""
        path = self.settings.recovery_path
        if not path.exists():
            return False
        if live_owner(owner_path(self.settings.recovery_path)):  # running, not crashed
            self.w.statusBar().showMessage(
                "Another OLM Studio is running; its unsaved work stays with it", 6000)
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
