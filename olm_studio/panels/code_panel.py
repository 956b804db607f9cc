"""The Code tab: the document printed as Python, live and highlighted.

The text is a function of the document (``olm.graph.to_python``); the panel only shows
it, keeps the scroll position across refreshes, and offers export to a ``.py`` file.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from olm_studio.panels.highlighter import PythonHighlighter

__all__ = ["CodePanel"]


class CodePanel(QWidget):
    """Read-only, highlighted view of the generated Python source.

    Args:
        parent: the owning widget.
    """

    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(font)
        self.highlighter = PythonHighlighter(self.editor.document())
        self.note = QLabel("", self)
        export = QPushButton("Export .py…", self)
        export.clicked.connect(self.export_requested)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.editor)

    def set_source(self, source: str, note: str = "") -> None:
        """Show ``source``, keeping the scroll position when only a few lines changed."""
        if source == self.editor.toPlainText():
            self.note.setText(note)
            return
        bar = self.editor.verticalScrollBar()
        pos = bar.value()
        self.editor.setPlainText(source)
        bar.setValue(pos)
        self.note.setText(note)

    def source(self) -> str:
        """The text currently shown."""
        return self.editor.toPlainText()

    def set_theme(self, theme: str) -> None:
        """Recolour the highlighting for ``theme``."""
        self.highlighter.set_theme(theme)
