"""Design and Train workspaces sharing one window (View → Ctrl+1 / Ctrl+2, the toolbar).

Design shows the canvas with the palette, inspector and bottom tabs; Train gives the
whole window to training: settings on the left, the plots (or the run's telemetry painted
on its graph) large in the middle, runs and samples on the right (UX.md, "Workspaces").
Switching remembers which Design panels were open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDockWidget,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["Workspaces", "WORKSPACES"]

WORKSPACES = ("design", "train")


class Workspaces(QStackedWidget):
    """The window's central area: the canvas (Design) or the Train panel (Train).

    Args:
        window: the main window (its canvas, docks and Train panel).
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.setObjectName("workspaces")
        self.addWidget(window.canvas)
        self.addWidget(window.train)
        self._design_docks: list[QDockWidget] = []
        self._current = "design"
        self._size_to(window.canvas)

    def current(self) -> str:
        """"design" or "train"."""
        return self._current

    def _size_to(self, shown: QWidget) -> None:
        """Only the shown page's minimum size counts (a hidden Train panel must not widen
        the Design workspace beyond 1280 px)."""
        for i in range(self.count()):
            page = self.widget(i)
            policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.updateGeometry()

    def docks(self) -> list[QDockWidget]:
        """The Design workspace's panels."""
        return [self.w.palette_dock, self.w.inspector_dock, self.w.bottom_dock]

    def set_current(self, name: str) -> None:
        """Switch to workspace ``name`` ("design" or "train")."""
        if name not in WORKSPACES:
            raise ValueError(f"workspace {name!r} must be one of {WORKSPACES}")
        if name == self._current:
            return
        # The page's minimum size changes before any dock comes back: Design's docks beside
        # the Train panel's minimum width would push the window past the screen.
        if name == "train":
            self._design_docks = [d for d in self.docks() if d.isVisible()]
            for dock in self.docks():
                dock.hide()
            self._size_to(self.w.train)
            self.setCurrentWidget(self.w.train)
        else:
            self._size_to(self.w.canvas)
            self.setCurrentWidget(self.w.canvas)
            for dock in self._design_docks or self.docks():
                dock.show()
        self._current = name
