"""Python syntax colouring for the code panel (keywords, names, numbers, strings, comments).

A small regex highlighter is enough for generated code: it is always well-formed and
never has multi-line strings except docstrings, which are handled as a block state.
"""

from __future__ import annotations

import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

__all__ = ["PythonHighlighter"]

_STYLES = {
    "dark": {"keyword": "#c678dd", "builtin": "#56b6c2", "class": "#e5c07b", "number": "#d19a66",
             "string": "#98c379", "comment": "#7f848e", "decorator": "#61afef"},
    "light": {"keyword": "#a626a4", "builtin": "#0184bc", "class": "#b76b01", "number": "#986801",
              "string": "#50a14f", "comment": "#a0a1a7", "decorator": "#4078f2"},
}


def _fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    f.setFontItalic(italic)
    return f


class PythonHighlighter(QSyntaxHighlighter):
    """Colours Python source in a QTextDocument.

    Args:
        document: the document to colour.
        theme: "dark" or "light" colour set.
    """

    def __init__(self, document: QTextDocument, theme: str = "dark") -> None:
        super().__init__(document)
        self.set_theme(theme)

    def set_theme(self, theme: str) -> None:
        """Switch the colour set and recolour the document."""
        s = _STYLES.get(theme, _STYLES["dark"])
        kw = r"\b(" + "|".join(keyword.kwlist) + r")\b"
        self._rules = [
            (re.compile(kw), _fmt(s["keyword"], bold=True)),
            (re.compile(r"\b(True|False|None|self|lambda|print|len|range|int|float)\b"),
             _fmt(s["builtin"])),
            (re.compile(r"\b[A-Z][A-Za-z0-9_]*\b"), _fmt(s["class"])),
            (re.compile(r"\b\d[\d_]*(\.\d+)?([eE][-+]?\d+)?\b"), _fmt(s["number"])),
            (re.compile(r"@\w+"), _fmt(s["decorator"])),
            (re.compile(r"'[^'\\\n]*(\\.[^'\\\n]*)*'|\"[^\"\\\n]*(\\.[^\"\\\n]*)*\""),
             _fmt(s["string"])),
            (re.compile(r"#[^\n]*"), _fmt(s["comment"], italic=True)),
        ]
        self._doc_fmt = _fmt(s["string"], italic=True)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        for pattern, fmt in self._rules:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)
        self._docstrings(text)

    def _docstrings(self, text: str) -> None:
        # Block state 1 = inside a triple-quoted string that started on an earlier line.
        start = 0
        inside = self.previousBlockState() == 1
        self.setCurrentBlockState(0)
        while True:
            if not inside:
                idx = text.find('"""', start)
                if idx < 0:
                    return
                start, search_from = idx, idx + 3
            else:
                search_from = start
            end = text.find('"""', search_from)
            if end < 0:
                self.setFormat(start, len(text) - start, self._doc_fmt)
                self.setCurrentBlockState(1)
                return
            self.setFormat(start, end + 3 - start, self._doc_fmt)
            start, inside = end + 3, False
