"""Sample text: what the run printed at intervals, and a prompt box to sample on demand."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

__all__ = ["SamplesView"]

_RULE = "─" * 24


class SamplesView(QWidget):
    """A read-only log of samples plus a prompt line.

    Signals:
        sample_requested(str, int): the prompt and how many new tokens to generate.

    Args:
        parent: the owning widget.
    """

    sample_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.log.setFont(mono)
        self.log.setPlaceholderText("Samples from the model appear here while it trains.")
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("Prompt, e.g. def main(")
        self.prompt.returnPressed.connect(self._request)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 4096)
        self.max_tokens.setValue(100)
        self.max_tokens.setSuffix(" tokens")
        self.button = QPushButton("Sample")
        self.chat = QCheckBox("Chat")
        self.chat.setObjectName("chat_toggle")
        self.chat.setToolTip("Send the prompt as a user message through the tokenizer's chat "
                             "template; the reply stops at end of turn")
        self.chat.setVisible(False)
        self.button.clicked.connect(self._request)
        self.state = QLabel("")
        row = QHBoxLayout()
        row.addWidget(self.prompt, 1)
        row.addWidget(self.max_tokens)
        row.addWidget(self.chat)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.log, 1)
        layout.addLayout(row)
        layout.addWidget(self.state)
        self.set_available(False, "Train a run first: sampling needs a checkpoint.")

    def _request(self) -> None:
        if self.button.isEnabled():
            self.sample_requested.emit(self.prompt.text(), self.max_tokens.value())

    def set_available(self, available: bool, why: str = "") -> None:
        """Enable sampling (a checkpoint exists and no sample is running) or say why not."""
        self.button.setEnabled(available)
        self.state.setText(why)

    def set_chat_available(self, available: bool) -> None:
        """Show the Chat toggle (checked) when the model's tokenizer has a chat template."""
        self.chat.setVisible(available)
        self.chat.setChecked(available)

    def show_samples(self, samples: list[tuple[int, str]]) -> None:
        """Replace the log with a run's interval samples."""
        self.log.clear()
        for step, text in samples:
            self.append(f"step {step}", text)

    def append(self, title: str, text: str) -> None:
        """Add one sample under a heading and scroll to it."""
        if self.log.toPlainText():
            self.log.appendPlainText("")
        self.log.appendPlainText(f"{_RULE} {title} {_RULE}")
        self.log.appendPlainText(text)
        self.log.moveCursor(QTextCursor.MoveOperation.End)
