"""Design and Train workspaces sharing one window (View → Ctrl+1 / Ctrl+2, the toolbar).

Design shows the canvas with the palette, inspector and bottom tabs; Train gives the
whole window to training: settings on the left, the plots large in the middle, runs and
samples on the right, and the canvas kept in sight as a small, read-only view (UX.md,
"Workspaces"). Switching remembers which Design panels were open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGraphicsScene,
    QGraphicsView,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["SmallCanvas", "Workspaces", "WORKSPACES"]

WORKSPACES = ("design", "train")


class SmallCanvas(QGraphicsView):
    """The model in miniature (the canvas scene itself, always fitted, not editable).

    Args:
        scene: the canvas scene.
    """

    def __init__(self, scene: QGraphicsScene) -> None:
        super().__init__(scene)
        self.setObjectName("smallCanvas")
        self.setInteractive(False)
        self.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(120)
        self.setToolTip("The model being trained (Ctrl+1 to edit it)")
        redrawn = getattr(scene, "redrawn", None)
        if redrawn is not None:
            redrawn.connect(self.fit)

    def fit(self) -> None:
        """Show the whole model."""
        rect = self.scene().itemsBoundingRect()
        if not rect.isEmpty():
            self.fitInView(rect.adjusted(-10, -10, 10, 10), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()


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
        self.small_canvas: SmallCanvas | None = None
        add_side = getattr(window.train, "add_side_widget", None)
        if add_side is not None:
            self.small_canvas = SmallCanvas(window.canvas.scene)
            add_side(self.small_canvas)
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
        if name == "train":
            self._design_docks = [d for d in self.docks() if d.isVisible()]
            for dock in self.docks():
                dock.hide()
            self.setCurrentWidget(self.w.train)
        else:
            self.setCurrentWidget(self.w.canvas)
            for dock in self._design_docks or self.docks():
                dock.show()
        self._size_to(self.currentWidget())
        self._current = name
        if self.small_canvas is not None and name == "train":
            self.small_canvas.fit()
