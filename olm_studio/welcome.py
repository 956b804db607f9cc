"""The welcome page: what a person can do first when the Studio starts without a file.

It is a page laid over the canvas, not a separate window: the last project (or GPT-2) is
already open behind it, so everything that works without the page still works, and the
page goes away on the first thing the person does (any of its buttons, Escape, or its ✕).
Entries that depend on features another part of the app provides (the "Modernise GPT-2"
lesson, "Open a pretrained model") are shown only when the window has that action,
found by its objectName.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolBar,
    QToolButton,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["WelcomePage", "LESSON_ACTION", "PRETRAINED_ACTION"]

LESSON_ACTION = "action_lesson_modernise"
PRETRAINED_ACTION = "action_open_pretrained"

_INTRO = ("Build a language model from interchangeable parts, see what it costs, train it "
          "and export readable PyTorch. Start from GPT-2 and swap its parts one at a time "
          "into a modern model.")


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("welcomeHeading")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


class WelcomePage(QFrame):
    """The welcome page over ``window``'s canvas and panels (below the toolbar).

    Signals:
        dismissed(): the page was closed (by an action or by the person).

    Args:
        window: the main window whose canvas the page covers and whose actions it triggers.
    """

    dismissed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.setObjectName("welcomePage")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        title = QLabel("<h1>Welcome to OLM Studio</h1>")
        close = QToolButton()
        close.setObjectName("welcomeClose")
        close.setText("✕")
        close.setToolTip("Close the welcome page and keep the open model (Esc)")
        close.clicked.connect(self.dismiss)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        intro = QLabel(_INTRO)
        intro.setWordWrap(True)

        start = QVBoxLayout()
        start.addWidget(_heading("Start"))
        self.buttons: dict[str, QPushButton] = {}
        self._button(start, "gpt2", "Start from GPT-2",
                     "Open the GPT-2 preset: the classic starting point", self._start_gpt2)
        for key, name, text in (("lesson", LESSON_ACTION, "Lesson: Modernise GPT-2"),
                                ("pretrained", PRETRAINED_ACTION, "Open a pretrained model…")):
            self._button(start, key, text, "", lambda n=name: self._trigger(n))
        self._button(start, "open", "Open a project…", "Open a .olm.json project or a .py model",
                     window.commands.bind("open"))
        self._button(start, "new", "New empty model", "Start from an empty model",
                     window.commands.bind("new"))
        start.addStretch(1)

        recent_box = QVBoxLayout()
        recent_box.addWidget(_heading("Recent projects"))
        self.recent = QListWidget()
        self.recent.setObjectName("welcomeRecent")
        for path in window.settings.recent_files():
            item = QListWidgetItem(f"{Path(path).name}    {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        self.no_recent = QLabel("No recent projects yet: saved projects appear here.")
        self.no_recent.setWordWrap(True)
        self.no_recent.setVisible(self.recent.count() == 0)
        self.recent.setVisible(self.recent.count() > 0)
        self.recent.itemActivated.connect(self._open_recent)
        recent_box.addWidget(self.recent, 1)
        recent_box.addWidget(self.no_recent)
        recent_box.addStretch(0 if self.recent.count() else 1)

        gallery_box = QVBoxLayout()
        gallery_box.addWidget(_heading("Preset gallery"))
        self.presets = QListWidget()
        self.presets.setObjectName("welcomePresets")
        from olm_studio.panels.presets import preset_rows

        for name, family, year, _params, notable in preset_rows():
            item = QListWidgetItem(f"{name}  ·  {year}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{family}: {notable}")
            self.presets.addItem(item)
        self.presets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.presets.itemActivated.connect(self._open_preset)
        gallery_box.addWidget(self.presets, 1)
        self._button(gallery_box, "gallery", "Full gallery with details…",
                     "Every preset with its year, size and notable choices",
                     window.commands.bind("presets"))

        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addLayout(start, 2)
        columns.addLayout(recent_box, 3)
        columns.addLayout(gallery_box, 3)

        self.show_at_start = QCheckBox("Show this page when OLM Studio starts")
        self.show_at_start.setChecked(window.settings.show_welcome)
        self.show_at_start.toggled.connect(self._remember)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 24)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addSpacing(12)
        layout.addLayout(columns, 1)
        layout.addWidget(self.show_at_start)
        window.installEventFilter(self)
        self.hide()

    # -- construction helpers ------------------------------------------------------------
    def _find_action(self, name: str) -> QAction | None:
        return self.w.findChild(QAction, name)

    def _button(self, layout: QVBoxLayout, key: str, text: str, tip: str,
                slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(f"welcome_{key}")
        button.setToolTip(tip)
        button.setMinimumHeight(34)
        button.clicked.connect(lambda *_: self._act(slot))
        layout.addWidget(button)
        self.buttons[key] = button
        return button

    # -- showing and hiding ----------------------------------------------------------------
    def open(self) -> None:
        """Show the page over the canvas and give it the keyboard."""
        for key, name in (("lesson", LESSON_ACTION), ("pretrained", PRETRAINED_ACTION)):
            action = self._find_action(name)  # provided by other parts of the app, or not yet
            self.buttons[key].setVisible(action is not None)
            if action is not None:
                self.buttons[key].setToolTip(action.toolTip())
        self._fit()
        self.show()
        self.raise_()
        self.setFocus()

    def dismiss(self) -> None:
        """Hide the page (the model behind it stays open)."""
        if self.isVisible():
            self.hide()
            self.dismissed.emit()

    def _fit(self) -> None:
        """Cover everything between the toolbar and the status bar."""
        w = self.w
        top = w.menuBar().geometry().bottom() + 1
        for bar in w.findChildren(QToolBar):
            if bar.isVisible() and w.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea:
                top = max(top, bar.geometry().bottom() + 1)
        bottom = w.statusBar().geometry().top() if w.statusBar().isVisible() else w.height()
        self.setGeometry(QRect(0, top, w.width(), max(0, bottom - top)))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.w and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._fit()
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            return
        super().keyPressEvent(event)

    # -- actions ---------------------------------------------------------------------------
    def _act(self, slot: Callable[[], object]) -> None:
        self.dismiss()
        slot()

    def _trigger(self, name: str) -> None:
        action = self._find_action(name)
        if action is not None:
            action.trigger()

    def _start_gpt2(self) -> None:
        if self.w.files.maybe_save():
            self.w.files.open_preset("GPT2")

    def _open_recent(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        self.dismiss()
        if self.w.files.maybe_save():
            self.w.files.open_path(Path(path))

    def _open_preset(self, item: QListWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        self.dismiss()
        if self.w.files.maybe_save():
            self.w.files.open_preset(name)

    def _remember(self, checked: bool) -> None:
        self.w.settings.show_welcome = checked
