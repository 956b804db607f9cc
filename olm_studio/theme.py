"""Dark and light themes: the widget stylesheet plus the canvas colours.

Widgets are styled by a QSS file in ``resources/themes``; the canvas paints itself, so
it reads its colours from :data:`CANVAS` here. Each component family has one colour,
used both for its nodes on the canvas and for its palette group (UX.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

__all__ = ["FAMILY_COLORS", "FAMILY_LABELS", "CanvasColors", "canvas_colors", "apply_theme",
           "family_color", "THEMES"]

THEMES = ("dark", "light")
_THEME_DIR = Path(__file__).resolve().parent / "resources" / "themes"

FAMILY_COLORS: dict[str, str] = {
    "embedding": "#3f8fd2",
    "attention": "#d9823b",
    "norm": "#8a6fd1",
    "feedforward": "#3fae6a",
    "moe": "#c9509a",
    "head": "#3bb0b0",
    "activation": "#9aa33b",
    "structure": "#8c96a3",
    "model": "#8c96a3",
    "other": "#8c96a3",
}

FAMILY_LABELS: dict[str, str] = {
    "embedding": "Embeddings",
    "attention": "Attention",
    "norm": "Norms",
    "feedforward": "Feed-forward",
    "moe": "Mixture of Experts",
    "activation": "Activations",
    "structure": "Structure",
    "head": "Heads",
    "model": "Models",
    "other": "Other",
}


def family_color(family: str | None) -> QColor:
    """The colour of a component family (grey for unknown families)."""
    return QColor(FAMILY_COLORS.get(family or "other", FAMILY_COLORS["other"]))


@dataclass(frozen=True)
class CanvasColors:
    """Colours the canvas paints with, one set per theme.

    Args:
        background: scene background.
        grid: dot grid.
        node_fill: body of a node (the family colour is its header stripe).
        text: primary text.
        dim_text: secondary text (figures, values).
        frame: container frame and wires.
        frame_fill: container body.
        header_fill: container header.
        selection: selection outline.
        error: error outline.
        warning: warning outline.
        diff: highlight for components that differ (Compare).
    """

    background: str
    grid: str
    node_fill: str
    text: str
    dim_text: str
    frame: str
    frame_fill: str
    header_fill: str
    selection: str
    error: str
    warning: str
    diff: str


CANVAS: dict[str, CanvasColors] = {
    "dark": CanvasColors("#1e2127", "#2c313a", "#2b3039", "#e8eaed", "#a9b1bd", "#6b7686",
                         "#23272e", "#2f353f", "#5fb3ff", "#ff5b5b", "#f0b43c", "#ffd75f"),
    "light": CanvasColors("#f4f5f7", "#dde0e5", "#ffffff", "#1d2128", "#56606d", "#8d97a5",
                          "#eceef2", "#dfe3e9", "#1a73e8", "#d93025", "#e37400", "#f9ab00"),
}


def canvas_colors(theme: str) -> CanvasColors:
    """The canvas colour set of ``theme`` ("dark" or "light")."""
    return CANVAS.get(theme, CANVAS["dark"])


def _palette(theme: str) -> QPalette:
    c = canvas_colors(theme)
    pal = QPalette()
    window = QColor("#262a31" if theme == "dark" else "#f0f1f4")
    base = QColor(c.background if theme == "dark" else "#ffffff")
    pal.setColor(QPalette.ColorRole.Window, window)
    pal.setColor(QPalette.ColorRole.WindowText, QColor(c.text))
    pal.setColor(QPalette.ColorRole.Base, base)
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(c.frame_fill))
    pal.setColor(QPalette.ColorRole.Text, QColor(c.text))
    pal.setColor(QPalette.ColorRole.Button, window)
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(c.text))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(c.selection))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(c.node_fill))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(c.text))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(c.dim_text))
    return pal


def apply_theme(app: QApplication, theme: str) -> None:
    """Style the whole application with ``theme`` ("dark" or "light")."""
    if theme not in THEMES:
        theme = "dark"
    app.setStyle("Fusion")
    app.setPalette(_palette(theme))
    qss = _THEME_DIR / f"{theme}.qss"
    app.setStyleSheet(qss.read_text(encoding="utf-8") if qss.exists() else "")
