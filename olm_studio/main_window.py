"""The main window: canvas in the middle, palette left, inspector right, tabs below.

The window wires the parts together and owns nothing about the model: the document
lives in the :class:`~olm_studio.controller.DocumentController`, file handling in
:mod:`olm_studio.files`, menus in :mod:`olm_studio.menus`, the Design/Train switch in
:mod:`olm_studio.workspaces`. What the menus can do is a table of named commands
(:class:`~olm_studio.commands.Commands`) that the window fills from the objects doing each
job (file actions, canvas clipboard, model and help dialogs), so no menu reads the window. Docks are QDockWidgets whose layout is saved on close and
restored on the next start; they are locked (no accidental undocking by a title drag)
until View → Panels → Lock Panels is unticked.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QToolBar,
    QWidget,
)

from olm_studio.canvas.editor import CanvasEditor
from olm_studio.commands import Commands
from olm_studio.controller import DocumentController
from olm_studio.experiment import open_for as open_experiment_for
from olm_studio.file_drops import FileDrops
from olm_studio.files import FileActions
from olm_studio.help_commands import HelpCommands
from olm_studio.hint import HintCard
from olm_studio.menus import build_menus
from olm_studio.model_commands import ModelCommands
from olm_studio.model_tabs import ModelTabs
from olm_studio.panels.inspector import InspectorPanel
from olm_studio.panels.palette import PalettePanel
from olm_studio.panels.variables import VariablesPanel
from olm_studio.settings import StudioSettings
from olm_studio.status import FigureLine
from olm_studio.theme import apply_theme
from olm_studio.workspaces import Workspaces

__all__ = ["MainWindow"]

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
        self.commands = Commands()
        self.menus = build_menus(self, self.commands, self.controller.undo_stack)
        self.actions_by_key = self.menus.actions
        self.canvas.addAction(self.actions_by_key["delete"])  # the canvas's own (menus.py)
        self.preset_combo: QComboBox = self.menus.preset_combo
        self.toolbar: QToolBar = self.menus.toolbar
        self.recent_menu: QMenu = self.menus.recent_menu
        self.files = FileActions(self, self.menus.recent_menu, self.menus.preset_combo)
        from olm_studio.pretrained import PretrainedSession

        self.pretrained = PretrainedSession(self)
        self.model_commands = ModelCommands(self)
        self.help = HelpCommands(self)
        self._register_commands()
        for dock in (self.palette_dock, self.inspector_dock, self.bottom_dock):
            self.menus.docks_menu.addAction(dock.toggleViewAction())
        bar = getattr(self.train, "bar", None)  # Train → Start, Stop, Resume and their keys
        if bar is not None:
            self.menus.train_menu.addSeparator()
            self.menus.train_menu.addActions(list(bar.actions.values()))
            self.addActions(list(bar.actions.values()))  # the keys work in either workspace
            self.actions_by_key.update(bar.actions)  # and are listed under Help → Shortcuts
            self.commands.update({
                "train_start": lambda: (self.set_workspace("train"),
                                        self.train.lifecycle.start_when_checked()),
                "train_stop": bar.stop_button.click,  # a disabled button ignores it
                "train_resume": bar.resume_button.click})
            for key, action in bar.actions.items():
                action.triggered.connect(self.commands.bind(key))
        self.hint = HintCard(self.canvas)
        self.setAcceptDrops(True)
        self.drops = FileDrops(self, self.files.open_dropped)
        self._connect()
        self._restore_state()
        from olm_studio.bottom_heights import BottomHeights

        self.bottom_heights = BottomHeights(self)  # each bottom tab's useful height
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
        self.tabs = ModelTabs(c, self, always_print=self.screenshot_mode)
        self.diagnostics, self.code, self.summary = (self.tabs.diagnostics, self.tabs.code,
                                                     self.tabs.summary)
        self.bottom_dock = self._dock("Model", "bottomDock", self.tabs,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [240, 340],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [170], Qt.Orientation.Vertical)

    def _register_commands(self) -> None:
        """Every named command the menus, toolbar and welcome page trigger, and its owner."""
        files, canvas, view = self.files, self.canvas, self.canvas.view
        self.commands.update({
            "new": files.new, "open": files.open_dialog, "save": files.save,
            "save_as": files.save_as, "import_py": files.imports.import_python,
            "import_hf": files.imports.import_pretrained,
            "export_py": files.imports.export_python,
            "open_pretrained": self.pretrained.open_dialog, "quit": self.close,
            "cut": canvas.clipboard.cut, "copy": canvas.clipboard.copy,
            "paste": canvas.clipboard.paste, "duplicate": canvas.clipboard.duplicate,
            "delete": canvas.clipboard.delete_selection,
            "select_all": canvas.select_all, "quick_add": canvas.quick_add_at_cursor,
            "fit": view.fit, "zoom_in": lambda: view.zoom_by(1.25),
            "zoom_out": lambda: view.zoom_by(0.8), "layout": canvas.auto_layout,
            "collapse_all": lambda: canvas.set_all_collapsed(True),
            "expand_all": lambda: canvas.set_all_collapsed(False),
            "design_space": lambda: self.set_workspace("design"),
            "train_space": lambda: self.set_workspace("train"),
            "theme": lambda: self.set_theme("light" if self.theme == "dark" else "dark"),
            "welcome": self.show_welcome,
            "lock_panels": lambda: self.set_panels_locked(
                self.actions_by_key["lock_panels"].isChecked()),
            "validate": lambda: self.show_tab("Diagnostics"),
            "code": lambda: self.show_tab("Code"),
            "summary": lambda: self.show_tab("Summary"),
            "lesson": self.start_lesson,
            "lesson2": lambda: self.start_lesson("beyond-llama"),
            "experiment": lambda: open_experiment_for(self),
        })
        self.commands.update(self.model_commands.table())
        self.commands.update(self.help.table())

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

    def _connect(self) -> None:
        c = self.controller
        c.figures_changed.connect(self._on_figures)
        c.document_replaced.connect(self._on_document_replaced)
        c.structure_changed.connect(self._on_edited)
        c.content_changed.connect(self._on_edited)
        c.path_changed.connect(lambda _p: self._update_title())
        if hasattr(self.train, "apply_sizes_requested"):
            self.train.apply_sizes_requested.connect(self._apply_trial_sizes)
        if hasattr(self.train, "set_project_path"):  # runs are kept beside the project
            c.path_changed.connect(self.train.set_project_path)
        c.dirty_changed.connect(lambda _d: self._update_title())
        self.diagnostics.node_activated.connect(self.canvas.reveal)
        self.code.export_requested.connect(self.commands.bind("export_py"))
        self.canvas.view.zoom_changed.connect(self.figure_line.set_zoom)
        self.palette.add_requested.connect(self.canvas.add_component_at_center)

    # -- reactions ----------------------------------------------------------------------
    def _on_figures(self, figures) -> None:  # noqa: ANN001
        self.figure_line.update(figures, self.controller.graph.root)

    def _on_document_replaced(self) -> None:
        self.figure_line.update(self.controller.figures, self.controller.graph.root, reset=True)
        self._train_stale = True
        if self.workspace() == "train":
            self._refresh_train()
        self.tabs.refresh()
        self.hint.hide_when_done(self.controller.graph)
        QTimer.singleShot(0, self.canvas.view.fit)

    def _on_edited(self) -> None:
        self._train_stale = True
        if self.workspace() == "train":
            self._refresh_train()
        self.hint.hide_when_done(self.controller.graph)

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
            self.hint.show_card()
        if not self.screenshot_mode:
            self.settings.mark_started()
        return opened or not spec

    def offer_recovery(self) -> None:
        """After a crash, offer the autosaved document back (called once shown)."""
        if self.files.offer_recovery() and getattr(self, "welcome", None) is not None:
            self.welcome.dismiss()  # the recovered model is what the person wants to see

    def discard_session(self) -> None:
        """Close without prompting or keeping recovery data (screenshot mode)."""
        self.files.stop_autosave(remove=True)
        self.controller.undo_stack.setClean()

    def start_session(self, welcome: bool) -> None:
        """After :meth:`open_initial`: follow the settings, catch crashes, maybe welcome."""
        from olm_studio.crash import install_crash_handler
        from olm_studio.settings_dialog import apply_to_window

        apply_to_window(self, theme=False)
        self.crash_handler = install_crash_handler(self, ask=not self.screenshot_mode)
        if welcome:
            self.show_welcome()

    # -- what the window shows -------------------------------------------------------------
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
            from olm_studio.panels.narrow_scroll import VerticalScrollArea

            # The panel wraps its text; the dock is never narrower than the panel's minimum.
            scroll = VerticalScrollArea(self)
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

    def show_tab(self, title: str) -> None:
        """Bring a bottom tab to the front (and the dock back if it was closed)."""
        if title == "Train":
            self.set_workspace("train")
            return
        self.set_workspace("design")
        self.bottom_dock.show()
        self.tabs.show_title(title)

    def set_theme(self, theme: str) -> None:
        """Switch the whole app to ``theme`` and remember it."""
        self.theme = theme
        apply_theme(QApplication.instance(), theme)
        self.canvas.set_theme(theme)
        self.code.set_theme(theme)
        self.settings.theme = theme

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

    def show_welcome(self) -> None:
        """View → Welcome Page (also shown at start when no file is given)."""
        from olm_studio.welcome import WelcomePage

        if getattr(self, "welcome", None) is None:
            self.welcome = WelcomePage(self)
        self.welcome.open()

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

