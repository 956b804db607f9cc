"""The main window: canvas in the middle, palette left, inspector right, tabs below.

The window wires the parts together and owns nothing about the model: the document
lives in the :class:`~olm_studio.controller.DocumentController`, file handling in
:mod:`olm_studio.files`, menus in :mod:`olm_studio.menus`, the Design/Train switch in
:mod:`olm_studio.workspaces`. Docks are QDockWidgets whose layout is saved on close and
restored on the next start; they are locked (no accidental undocking by a title drag)
until View → Panels → Lock Panels is unticked.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)

from olm_studio.canvas.editor import CanvasEditor
from olm_studio.controller import DocumentController
from olm_studio.files import FileActions
from olm_studio.menus import build_menus
from olm_studio.panels.code_panel import CodePanel
from olm_studio.panels.diagnostics import DiagnosticsPanel
from olm_studio.panels.inspector import InspectorPanel
from olm_studio.panels.palette import PalettePanel
from olm_studio.panels.summary import SummaryPanel
from olm_studio.panels.variables import VariablesPanel
from olm_studio.settings import StudioSettings
from olm_studio.status import FigureLine
from olm_studio.theme import apply_theme
from olm_studio.workspaces import Workspaces

__all__ = ["MainWindow"]

HINT = "Try: right-click LayerNorm\n→ Replace with… → RMSNorm"


def _train_tab() -> QWidget:
    """The Train panel, or a placeholder naming the missing dependency."""
    try:
        from olm_studio.training.panel import TrainPanel
    except ImportError as err:  # e.g. pyqtgraph not installed: the editor still opens
        box = QLabel(f"Training is not available in this installation.\n({err})")
        box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.setObjectName("trainPlaceholder")
        return box
    return TrainPanel()


class MainWindow(QMainWindow):
    """OLM Studio's main window.

    Args:
        settings: persistent settings (window state, theme, recent files, recovery).
        theme: "dark" or "light".
        screenshot_mode: skip dialogs and autosave (for ``--screenshot``).
    """

    def __init__(self, settings: StudioSettings | None = None, theme: str = "dark",
                 screenshot_mode: bool = False) -> None:
        super().__init__()
        self.settings = settings or StudioSettings()
        self.theme = theme
        self.screenshot_mode = screenshot_mode
        self.setObjectName("mainWindow")
        self.resize(1500, 950)
        self.controller = DocumentController(parent=self)
        self.canvas = CanvasEditor(self.controller, theme, self)
        self._build_docks()
        self.train = _train_tab()
        self._train_stale = True  # the Train panel gets the document when it is shown
        self.workspaces = Workspaces(self)
        self.setCentralWidget(self.workspaces)
        self.figure_line = FigureLine(self.statusBar())
        self.menus = build_menus(self)
        self.actions_by_key = self.menus.actions
        self.files = FileActions(self, self.menus.recent_menu, self.menus.preset_combo)
        from olm_studio.pretrained import PretrainedSession

        self.pretrained = PretrainedSession(self)
        self._populate_docks_menu()
        self._hint = self._build_hint()
        self.canvas.installEventFilter(self)
        self.setAcceptDrops(True)
        self._connect()
        self._restore_state()
        self.set_panels_locked(True)
        self._update_title()

    # -- construction -------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        c = self.controller
        self.palette = PalettePanel(self)
        self.palette_dock = self._dock("Palette", "paletteDock", self.palette,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector = InspectorPanel(c, self)
        self.variables = VariablesPanel(c, self)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.inspector)
        right.addWidget(self.variables)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setChildrenCollapsible(False)
        right.setSizes([520, 300])
        # Wide enough that labels, "= embed_dim" bindings and messages read fully (1280×800).
        right.setMinimumWidth(300)
        self.palette.setMinimumWidth(200)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", right,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabs = QTabWidget(self)
        self.diagnostics = DiagnosticsPanel(c, self)
        self.code = CodePanel(self)
        self.summary = SummaryPanel(c, self)
        self.tabs.addTab(self.diagnostics, "Diagnostics")
        self.tabs.addTab(self.code, "Code")
        self.tabs.addTab(self.summary, "Summary")
        self.bottom_dock = self._dock("Model", "bottomDock", self.tabs,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [240, 340],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [170], Qt.Orientation.Vertical)

    @property
    def preset_combo(self) -> QComboBox:
        """The toolbar's preset chooser (owned by :attr:`menus`; read-only here)."""
        return self.menus.preset_combo

    @property
    def toolbar(self) -> QToolBar:
        """The main toolbar (owned by :attr:`menus`; read-only here)."""
        return self.menus.toolbar

    @property
    def recent_menu(self) -> QMenu:
        """File → Open Recent (owned by :attr:`menus`; read-only here)."""
        return self.menus.recent_menu

    def _populate_docks_menu(self) -> None:
        for dock in (self.palette_dock, self.inspector_dock, self.bottom_dock):
            self.menus.docks_menu.addAction(dock.toggleViewAction())

    def set_panels_locked(self, locked: bool) -> None:
        """Locked panels can be closed but not dragged away by their title bar."""
        features = QDockWidget.DockWidgetFeature.DockWidgetClosable
        if not locked:
            features |= (QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        for dock in (self.palette_dock, self.inspector_dock, self.bottom_dock,
                     getattr(self, "lesson_dock", None)):
            if dock is not None:
                dock.setFeatures(features)
        action = self.actions_by_key.get("lock_panels")
        if action is not None and action.isChecked() != locked:
            action.setChecked(locked)

    # -- workspaces ---------------------------------------------------------------------
    def set_workspace(self, name: str) -> None:
        """Show the Design or the Train workspace (Ctrl+1 / Ctrl+2, the toolbar)."""
        self.workspaces.set_current(name)
        self.actions_by_key[f"{name}_space"].setChecked(True)
        if name == "train":
            self._refresh_train()
        else:
            self.canvas.view.setFocus()

    def workspace(self) -> str:
        """The workspace shown: "design" or "train"."""
        return self.workspaces.current()

    def _apply_trial_sizes(self, trial) -> None:
        """A trial run's sizes onto the canvas: one undoable edit (Edit → Undo restores)."""
        from olm.core.errors import OLMError
        from olm_studio.training.trial_view import apply_sizes_command

        command = apply_sizes_command(self.controller.graph, trial)
        if command is None:
            self.statusBar().showMessage("The canvas already has the trial sizes.", 4000)
            return
        try:
            self.controller.run(command, label="apply trial sizes")
        except OLMError as err:
            self.statusBar().showMessage(f"Cannot apply the trial sizes: {err}", 8000)

    def _refresh_train(self) -> None:
        if self._train_stale and hasattr(self.train, "set_graph"):
            self.train.set_graph(self.controller.graph)
            self._train_stale = False
    def _build_hint(self) -> QLabel:
        hint = QLabel(HINT + "   ✕", self.canvas)
        hint.setObjectName("hintCard")
        hint.setToolTip("Click to dismiss")
        hint.setCursor(Qt.CursorShape.PointingHandCursor)
        hint.mousePressEvent = lambda _e: hint.hide()
        hint.setWordWrap(False)
        hint.adjustSize()
        hint.hide()
        return hint

    def _connect(self) -> None:
        c = self.controller
        c.figures_changed.connect(self._on_figures)
        c.document_replaced.connect(self._on_document_replaced)
        c.structure_changed.connect(self._refresh_code_soon)
        c.content_changed.connect(self._refresh_code_soon)
        c.structure_changed.connect(self._on_edited)
        c.content_changed.connect(self._on_edited)
        c.path_changed.connect(lambda _p: self._update_title())
        if hasattr(self.train, "apply_sizes_requested"):
            self.train.apply_sizes_requested.connect(self._apply_trial_sizes)
        if hasattr(self.train, "set_project_path"):  # runs are kept beside the project
            c.path_changed.connect(self.train.set_project_path)
        c.dirty_changed.connect(lambda _d: self._update_title())
        self.diagnostics.node_activated.connect(self.canvas.reveal)
        self.code.export_requested.connect(self.export_python)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_lazy_tabs())
        self.canvas.view.zoom_changed.connect(self.figure_line.set_zoom)
        self.palette.add_requested.connect(self.canvas.add_component_at_center)
        self._code_timer = QTimer(self)
        self._code_timer.setSingleShot(True)
        self._code_timer.setInterval(150)
        self._code_timer.timeout.connect(self._refresh_lazy_tabs)

    # -- reactions ----------------------------------------------------------------------
    def _on_figures(self, figures) -> None:  # noqa: ANN001
        self.figure_line.update(figures, self.controller.graph.root)

    def _on_document_replaced(self) -> None:
        self.figure_line.update(self.controller.figures, self.controller.graph.root, reset=True)
        self._train_stale = True
        self._refresh_lazy_tabs()
        self._hide_hint_when_done()
        QTimer.singleShot(0, self.fit_canvas)

    def _on_edited(self) -> None:
        self._train_stale = True
        if self.workspace() == "train":
            self._refresh_train()
        self._hide_hint_when_done()

    def _hide_hint_when_done(self) -> None:
        """The hint names one step (LayerNorm → RMSNorm): gone once no LayerNorm is left."""
        if self._hint.isVisible() and not any(
                n.type == "LayerNorm" for n in self.controller.graph.nodes.values()):
            self._hint.hide()

    def _refresh_code_soon(self) -> None:
        self._code_timer.start()

    def _refresh_lazy_tabs(self) -> None:
        current = self.tabs.currentWidget()
        if self.workspace() == "train":
            self._refresh_train()
        if current is self.code or self.screenshot_mode:
            self.refresh_code()
        if current is self.summary:
            self.summary.refresh_if_stale()
        else:
            self.summary.mark_stale()

    def refresh_code(self) -> None:
        """Regenerate the Code tab from the document."""
        from olm.graph.to_python import to_python

        try:
            self.code.set_source(to_python(self.controller.graph))
        except Exception as err:  # noqa: BLE001 - an invalid model still shows why
            self.code.set_source(f"# The model cannot be printed yet:\n# {err}\n",
                                 "fix the diagnostics first")

    def _update_title(self) -> None:
        c = self.controller
        name = c.path.name if c.path else f"{c.graph.name} (unsaved)"
        self.setWindowTitle(f"{name}[*] — OLM Studio")
        self.setWindowModified(c.dirty)

    # -- window state -------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_window_state(self) -> None:
        """Remember geometry and docks for the next start."""
        self.settings.save_window_state(self.saveGeometry(), self.saveState())

    # -- startup ------------------------------------------------------------------------
    def open_initial(self, spec: str | None) -> bool:
        """Open ``spec`` (file or preset name), else the last project, else GPT-2 + hint.

        Returns False when ``spec`` was given and could not be opened (GPT-2 is shown).
        """
        first = self.settings.first_start
        opened = False
        if spec:
            opened = self.files.open_spec(spec)
        elif self.settings.last_file and Path(self.settings.last_file).exists():
            opened = self.files.open_path(Path(self.settings.last_file), quiet=True)
        if not opened:
            self.files.open_preset("GPT2")
        graph = self.controller.graph
        has_layernorm = any(n.type == "LayerNorm" for n in graph.nodes.values())
        if first and has_layernorm:
            self.show_hint()
        if not self.screenshot_mode:
            self.settings.mark_started()
        return opened or not spec

    def show_hint(self) -> None:
        """Show the first-start hint card over the canvas."""
        self._hint.adjustSize()
        self._place_hint()
        self._hint.show()
        self._hint.raise_()

    def _place_hint(self) -> None:
        self._hint.move(max(16, self.canvas.width() - self._hint.width() - 24), 16)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001
        if obj is self.canvas and event.type() == event.Type.Resize:
            self._place_hint()
        return super().eventFilter(obj, event)

    def hint_visible(self) -> bool:
        """True while the hint card is shown."""
        return self._hint.isVisible()

    def offer_recovery(self) -> None:
        """After a crash, offer the autosaved document back (called once shown)."""
        if self.files.offer_recovery() and getattr(self, "welcome", None) is not None:
            self.welcome.dismiss()  # the recovered model is what the person wants to see

    def discard_session(self) -> None:
        """Close without prompting or keeping recovery data (screenshot mode)."""
        self.files.stop_autosave(remove=True)
        self.controller.undo_stack.setClean()

    # -- slots used by menus --------------------------------------------------------------
    def new_document(self) -> None:
        """File → New: an empty model (after the unsaved-changes prompt)."""
        self.files.new()

    def open_dialog(self) -> None:
        """File → Open…"""
        self.files.open_dialog()

    def open_pretrained(self) -> None:
        """File → Open pretrained…"""
        self.pretrained.open_dialog()

    def measure_pretrained_loss(self) -> None:
        """Model → Measure Loss Before/After Edits (needs a pretrained model open)."""
        if self.pretrained.opened is None:
            self.statusBar().showMessage("Open a pretrained model first (File → Open "
                                         "pretrained…)", 8000)
            return
        from olm.core.errors import OLMError

        try:
            self.pretrained.measure_loss()
        except OLMError as err:
            self.files.error("Cannot measure the loss", str(err))

    def save(self) -> bool:
        """File → Save; returns False when cancelled or failed."""
        return self.files.save()

    def save_as(self) -> bool:
        """File → Save As…"""
        return self.files.save_as()

    def import_python(self) -> None:
        """File → Import Python…"""
        self.files.import_python()

    def import_pretrained(self) -> None:
        """File → Import Pretrained Folder…"""
        self.files.import_pretrained()

    # -- files dropped on the window ------------------------------------------------------
    @staticmethod
    def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = self._dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files.open_dropped(paths)

    def export_python(self) -> None:
        """File → Export Python… (and the Code tab's button)."""
        self.files.export_python()

    def show_presets(self) -> None:
        """File → New from Preset…: the gallery."""
        from olm_studio.panels.presets import PresetGallery

        gallery = PresetGallery(self)
        accepted = gallery.exec()
        self.files.refocus()
        if accepted and gallery.chosen and self.files.maybe_save():
            self.files.open_preset(gallery.chosen)

    def start_lesson(self, key: str = "modernise-gpt2") -> None:
        """Help → Modernise GPT-2: open the lesson panel and its starting preset."""
        from olm.graph.lessons import LESSONS
        from olm_studio.lesson_panel import LessonPanel, leave_welcome_for_design

        if not self.files.maybe_save():
            return
        if getattr(self, "lesson", None) is None:
            self.lesson = LessonPanel(self.controller, self.files.open_preset, self)
            from olm_studio.lesson_training import TrainBoth

            self.train_both = TrainBoth(self)
            self.lesson.train_requested.connect(
                lambda: self.train_both.start(self.lesson.lesson.start))
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            # The panel wraps its text: it never needs a sideways scrollbar.
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(self.lesson)
            self.lesson_dock = self._dock("Lesson", "lessonDock", scroll,
                                          Qt.DockWidgetArea.RightDockWidgetArea)
            # Beside the inspector as a tab: the lesson gets the whole column to read in.
            self.tabifyDockWidget(self.inspector_dock, self.lesson_dock)
            self.menus.docks_menu.addAction(self.lesson_dock.toggleViewAction())
            self.set_panels_locked(self.actions_by_key["lock_panels"].isChecked())
        leave_welcome_for_design(self)
        if self.lesson.start(LESSONS[key]):
            self.lesson_dock.show()
            self.lesson_dock.raise_()
            # The lesson and the canvas are what matter now: a short bottom panel.
            self.resizeDocks([self.bottom_dock], [110], Qt.Orientation.Vertical)

    def compare_dialog(self) -> None:
        """File → Compare with…"""
        from olm_studio.panels.compare import CompareDialog

        dialog = CompareDialog(self.controller.graph, self)
        dialog.choose_other()
        if dialog.other is not None:
            dialog.exec()

    def fit_canvas(self) -> None:
        """View → Fit (F)."""
        self.canvas.view.fit()

    def show_tab(self, title: str) -> None:
        """Bring a bottom tab to the front (and the dock back if it was closed)."""
        if title == "Train":
            self.set_workspace("train")
            return
        self.set_workspace("design")
        self.bottom_dock.show()
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                self.tabs.setCurrentIndex(i)

    def focus_variables(self) -> None:
        """Model → Edit Variables."""
        self.inspector_dock.show()
        self.variables.setFocus()

    def rename_model(self) -> None:
        """Model → Rename Model…"""
        name, ok = QInputDialog.getText(self, "Rename model", "Model name:",
                                        text=self.controller.graph.name)
        if ok and name.strip():
            self.canvas.edits.rename_model(name.strip())

    def toggle_theme(self) -> None:
        """View → Toggle Dark/Light Theme."""
        self.set_theme("light" if self.theme == "dark" else "dark")

    def set_theme(self, theme: str) -> None:
        """Switch the whole app to ``theme`` and remember it."""
        self.theme = theme
        apply_theme(QApplication.instance(), theme)
        self.canvas.set_theme(theme)
        self.code.set_theme(theme)
        self.settings.theme = theme

    def show_shortcuts(self) -> None:
        """Help → Keyboard Shortcuts."""
        from olm_studio.panels.shortcuts import shortcuts_html

        QMessageBox.information(self, "Keyboard shortcuts", shortcuts_html(self.menu_actions()))

    def menu_actions(self) -> list:
        """Every action reachable from the menu bar, in menu order (submenus included)."""
        out: list = []

        def walk(actions: list) -> None:
            for action in actions:
                if action.menu() is not None:
                    walk(action.menu().actions())
                elif not action.isSeparator() and action not in out:
                    out.append(action)

        walk(self.menuBar().actions())
        return out

    def show_about(self) -> None:
        """Help → About: versions, folders, copy to clipboard."""
        from olm_studio.help_dialogs import AboutDialog

        AboutDialog(self.settings, self).exec()

    def install_desktop(self) -> None:
        """Help → Add to Applications Menu (``olm-studio --install-desktop``)."""
        from olm_studio.desktop_install import install_desktop

        try:
            files = install_desktop()
        except OSError as err:
            self.files.error("Cannot add to the applications menu", str(err))
            return
        QMessageBox.information(self, "Added to the applications menu",
                                "OLM Studio is in the applications menu, and .olm.json projects "
                                f"open with it.\n\nInstalled: {files[0].parent.parent}")

    def show_guide(self) -> None:
        """Help → User Guide (docs/guide.md, rendered in the app)."""
        from olm_studio.help_dialogs import GuideDialog

        self.guide = GuideDialog(parent=self)
        self.guide.show()

    def show_settings(self) -> None:
        """Edit → Settings…; applied on OK."""
        from olm_studio.settings_dialog import SettingsDialog, apply_to_window

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            dialog.apply()
            apply_to_window(self)

    def show_welcome(self) -> None:
        """View → Welcome Page (also shown at start when no file is given)."""
        from olm_studio.welcome import WelcomePage

        if getattr(self, "welcome", None) is None:
            self.welcome = WelcomePage(self)
        self.welcome.open()

    def start_session(self, welcome: bool) -> None:
        """After :meth:`open_initial`: follow the settings, catch crashes, maybe welcome."""
        from olm_studio.crash import install_crash_handler
        from olm_studio.settings_dialog import apply_to_window

        apply_to_window(self, theme=False)
        self.crash_handler = install_crash_handler(self, ask=not self.screenshot_mode)
        if welcome:
            self.show_welcome()

    # -- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.screenshot_mode and not self.files.maybe_save():
            event.ignore()
            return
        confirm = getattr(self.train, "confirm_close", None)
        if confirm is not None and not confirm(ask=not self.screenshot_mode):
            event.ignore()  # the user chose to keep the run going
            return
        self.set_workspace("design")  # the saved dock layout is Design's
        self.save_window_state()
        self.settings.last_file = str(self.controller.path) if self.controller.path else None
        self.files.stop_autosave(remove=True)
        event.accept()
