"""The canvas view: zoom (Ctrl + wheel), pan (middle-drag or Space-drag), fit (F).

The view is pure navigation; what is drawn comes from the scene, and what a gesture
means is decided by the editor (``canvas/editor.py``). A minimap rides in its corner.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from olm_studio.canvas.minimap import MiniMap

__all__ = ["CanvasView"]

MIN_SCALE, MAX_SCALE = 0.02, 4.0


class CanvasView(QGraphicsView):
    """A navigable view of the canvas scene with a minimap overlay.

    Args:
        scene: the scene to show.
        parent: the owning widget.
    """

    zoom_changed = Signal(float)
    quick_add_requested = Signal(QPointF)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self._pan_from: QPointF | None = None
        self._space = False
        self.minimap = MiniMap(self)

    # -- zoom -------------------------------------------------------------------------
    def scale_factor(self) -> float:
        """The current zoom (1.0 = 100 %)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom by ``factor`` around the cursor, within sensible limits."""
        target = min(MAX_SCALE, max(MIN_SCALE, self.scale_factor() * factor))
        factor = target / self.scale_factor()
        self.scale(factor, factor)
        self.zoom_changed.emit(self.scale_factor())
        self.minimap.sync()

    def fit(self, rect: QRectF | None = None) -> None:
        """Fit ``rect`` (default: everything) into the view, never above 100 %."""
        rect = rect or self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-30, -30, 30, 30), Qt.AspectRatioMode.KeepAspectRatio)
        if self.scale_factor() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())
        self.zoom_changed.emit(self.scale_factor())
        self.minimap.sync()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            self.zoom_by(1.15 ** steps)
            event.accept()
            return
        super().wheelEvent(event)
        self.minimap.sync()

    # -- pan --------------------------------------------------------------------------
    def _start_pan(self, event: QMouseEvent) -> None:
        self._pan_from = event.position()
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space and event.button() == Qt.MouseButton.LeftButton):
            self._start_pan(event)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan_by(-delta.x(), -delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, dx: float, dy: float) -> None:
        """Scroll the view by (dx, dy) viewport pixels."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(int(h.value() + dx))
        v.setValue(int(v.value() + dy))
        self.minimap.sync()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.key() == Qt.Key.Key_Tab:
            pos = self.mapToScene(self.mapFromGlobal(self.cursor().pos()))
            self.quick_add_requested.emit(pos)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002
        # Tab belongs to the quick-add search, not to focus traversal.
        return False

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        self.minimap.sync()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self.minimap.place()

    def set_background(self, color: str, grid: str) -> None:
        """Theme the background (solid colour plus a dot grid drawn in drawBackground)."""
        self._bg, self._grid = QColor(color), QColor(grid)
        self.resetCachedContent()
        self.minimap.set_background(color)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        painter.fillRect(rect, getattr(self, "_bg", QColor("#1e2127")))
        if self.scale_factor() < 0.35:
            return  # dots would be noise when zoomed far out
        painter.setPen(getattr(self, "_grid", QColor("#2c313a")))
        step = 24
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        points = [QPointF(x, y) for x in range(left, int(rect.right()), step)
                  for y in range(top, int(rect.bottom()), step)]
        painter.drawPoints(points)
