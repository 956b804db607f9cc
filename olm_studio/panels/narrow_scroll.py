"""A vertical-only scroll area that is never narrower than what it holds.

A panel that wraps its text (the lesson) still has a minimum width: its buttons, a
wide word. In a plain ``QScrollArea`` the dock could be dragged (or left by an earlier
layout) narrower than that, and the panel was cut off at the right with no sideways
scrollbar to reach it. This area asks for the panel's minimum width plus the vertical
scrollbar, and asks again whenever the panel's layout changes (each lesson step).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QWidget

__all__ = ["VerticalScrollArea"]


class VerticalScrollArea(QScrollArea):
    """Scrolls up and down only; its minimum width is its widget's plus the scrollbar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt override
        """Hold ``widget`` and follow its layout changes."""
        super().setWidget(widget)
        widget.installEventFilter(self)
        self.updateGeometry()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """The panel's content changed: its minimum width may have too."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Wide enough for the widget's minimum and the vertical scrollbar beside it."""
        hint = super().minimumSizeHint()
        widget = self.widget()
        if widget is None:
            return hint
        width = (widget.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
                 + 2 * self.frameWidth())
        return QSize(max(hint.width(), width), hint.height())
