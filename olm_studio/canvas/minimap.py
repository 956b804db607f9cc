"""The minimap: the whole scene in miniature with the visible part framed.

The scene is rendered into a pixmap only when it is redrawn (the scene's ``redrawn``
signal), never while panning or zooming; each frame then costs one pixmap blit and a
rectangle, however big the model. Clicking or dragging on it moves the main view there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QFrame

if TYPE_CHECKING:
    from olm_studio.canvas.view import CanvasView

__all__ = ["MiniMap"]


class MiniMap(QFrame):
    """A small overview of the canvas scene, placed in the bottom-right corner.

    Args:
        view: the main canvas view it follows and steers.
    """

    WIDTH, HEIGHT = 170, 210

    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self._view = view
        self.setObjectName("minimap")
        self.setFrameShape(QFrame.Shape.Box)
        self.setFixedSize(self.WIDTH, self.HEIGHT)
        self.setToolTip("Minimap: click to move the view there")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._bg = QColor("#1e2127")
        self._pixmap: QPixmap | None = None
        self._source = QRectF()
        self._target = QRectF()
        redrawn = getattr(view.scene(), "redrawn", None)
        if redrawn is not None:
            redrawn.connect(self.invalidate)
        self.place()

    def place(self) -> None:
        """Stick to the bottom-right corner of the main view."""
        vp = self._view.viewport().geometry()
        self.move(vp.right() - self.WIDTH - 10, vp.bottom() - self.HEIGHT - 10)
        self.raise_()

    def set_background(self, color: str) -> None:
        """Theme the minimap background."""
        self._bg = QColor(color)
        self.invalidate()

    def invalidate(self) -> None:
        """The scene changed: render it again on the next paint."""
        self._pixmap = None
        self.update()

    def sync(self) -> None:
        """The main view moved: redraw the visible-area frame (cheap)."""
        self.update()

    def _render(self) -> None:
        scene = self._view.scene()
        self._source = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        pixmap = QPixmap(self.size() * self.devicePixelRatioF())
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        pixmap.fill(self._bg)
        if not self._source.isEmpty():
            scale = min(self.WIDTH / self._source.width(), self.HEIGHT / self._source.height())
            w, h = self._source.width() * scale, self._source.height() * scale
            self._target = QRectF((self.WIDTH - w) / 2, (self.HEIGHT - h) / 2, w, h)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            scene.render(painter, self._target, self._source)
            painter.end()
        self._pixmap = pixmap

    def _to_scene(self, point: QPointF) -> QPointF:
        if self._target.isEmpty():
            return QPointF()
        fx = (point.x() - self._target.left()) / self._target.width()
        fy = (point.y() - self._target.top()) / self._target.height()
        return QPointF(self._source.left() + fx * self._source.width(),
                       self._source.top() + fy * self._source.height())

    def _to_map(self, rect: QRectF) -> QRectF:
        if self._source.isEmpty():
            return QRectF()
        sx = self._target.width() / self._source.width()
        sy = self._target.height() / self._source.height()
        return QRectF(self._target.left() + (rect.left() - self._source.left()) * sx,
                      self._target.top() + (rect.top() - self._source.top()) * sy,
                      rect.width() * sx, rect.height() * sy)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self._pixmap is None:
            self._render()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        visible = self._view.mapToScene(self._view.viewport().rect()).boundingRect()
        frame = self._to_map(visible).intersected(QRectF(self.rect()))
        pen = QPen(QColor("#5fb3ff"), 2)
        painter.setPen(pen)
        painter.setBrush(QColor(95, 179, 255, 40))
        painter.drawRect(frame)
        painter.end()
        super().paintEvent(event)

    def _steer(self, event: QMouseEvent) -> None:
        self._view.centerOn(self._to_scene(event.position()))
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._steer(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons():
            self._steer(event)
