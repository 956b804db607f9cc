"""The Train workspace's command bar: Train, Stop, Resume, progress and status in one row.

It sits above everything that scrolls or reflows, and nothing to the left of the buttons
changes size, so the buttons keep their screen position whatever the run does (a newcomer
once pressed Resume meaning Stop after the panel jumped sideways). Texts that vary (the
status, the elapsed time) are elided to the room they have, never widening the window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

__all__ = ["CommandBar", "ElidedLabel"]


class ElidedLabel(QLabel):
    """A one-line label that elides its text to its width (the full text is the tooltip),
    so a long status or path never sets the window's minimum width. Shorter wordings may be
    given (:meth:`set_texts`): the first that fits is drawn before anything is elided, so
    the part that matters (a run's name) stays whole longest."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.shorter: tuple[str, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self.shorter = ()
        super().setText(text)
        self.setToolTip(text)

    def set_texts(self, full: str, *shorter: str) -> None:
        """Show ``full`` where it fits, else the first of ``shorter`` that fits, else the
        last one elided; the tooltip is always ``full``."""
        self.setText(full)
        self.shorter = shorter

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, super().minimumSizeHint().height())

    def elided(self) -> str:
        """The text as drawn now."""
        metrics, room = self.fontMetrics(), self.contentsRect().width()
        texts = (self.text(), *self.shorter)
        fitting = next((t for t in texts if metrics.horizontalAdvance(t) <= room), None)
        return fitting or metrics.elidedText(texts[-1], Qt.TextElideMode.ElideRight, room)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()) | Qt.AlignmentFlag.AlignVCenter,
                         self.elided())


class CommandBar(QWidget):
    """Train / Stop / Resume, then the progress bar, time and status of the run.

    Each button has an action for the Train menu and its shortcut (:attr:`actions`); the
    window binds them to its commands (Stop and Resume press their button, Start Training
    also works from the Design workspace: it waits for the pre-flight of exactly what it
    will train and refuses, saying why, as Train would). Stop and Resume are enabled
    exactly when their button is, Start Training whenever no run is going.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainCommandBar")
        self.train_button = QPushButton("▶ Train")
        self.train_button.setDefault(True)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setToolTip("save a checkpoint and end the run")
        self.resume_button = QPushButton("⟳ Resume")
        self.resume_button.setToolTip("continue the selected run from its checkpoint "
                                      "(raise Steps to train a finished run further)")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFixedWidth(200)
        self.progress_label = QLabel("")
        self.progress_label.setFixedWidth(self.fontMetrics().horizontalAdvance(
            "elapsed 10:00:00 · left 10:00:00") + 8)
        self.status_label = ElidedLabel("")
        self.start_action = QAction("&Start Training", self)
        self.start_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_action.setStatusTip("start a run of the model being edited, once its "
                                       "settings are checked")
        self.stop_action = self._twin(self.stop_button, "S&top Training", "Ctrl+.")
        self.resume_action = self._twin(self.resume_button, "&Resume Selected Run",
                                        "Ctrl+Shift+Return")
        self.actions = {"train_start": self.start_action, "train_stop": self.stop_action,
                        "train_resume": self.resume_action}
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        for button in (self.train_button, self.stop_button, self.resume_button):
            button.setFixedWidth(button.sizeHint().width() + 12)
            row.addWidget(button)
        row.addSpacing(12)
        row.addWidget(self.progress)
        row.addWidget(self.progress_label)
        row.addWidget(self.status_label, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _twin(self, button: QPushButton, text: str, shortcut: str, tip: str = "") -> QAction:
        """The button's action (the window connects it: see the class)."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or button.toolTip())
        action.setToolTip(tip or button.toolTip())
        return action

    def sync_actions(self, running: bool) -> None:
        """Start while no run is going; Stop and Resume exactly when their button is."""
        self.start_action.setEnabled(not running)
        for action, button in ((self.stop_action, self.stop_button),
                               (self.resume_action, self.resume_button)):
            action.setEnabled(button.isEnabled())
