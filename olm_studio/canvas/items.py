"""What the canvas draws: component nodes, container frames, wires and ports.

Items are dumb pictures of document state. They hold the document id they show and the
text to paint, nothing else; a command never touches them. The scene recreates or
retexts them from the document's events. Painting skips text when zoomed far out, so a
Repeat expanded to hundreds of copies still pans and zooms smoothly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from olm_studio.canvas.layer_strip import paint_strip
from olm_studio.canvas.layout import HEADER_H, JOIN_H, PAD, SKIP_LANE, STRIP_H
from olm_studio.rich import rst_to_html
from olm_studio.theme import CanvasColors, family_color

__all__ = ["NodeLook", "NodeItem", "ContainerItem", "WireItem", "PortItem", "PORT_R"]

PORT_R = 4.0
_DETAIL_LOD = 0.45  # below this zoom, paint shapes only (no text)
_TINY_LOD = 0.15  # below this, one flat shape per item (a layer is a few pixels tall)


@dataclass
class NodeLook:
    """What a node or container shows, computed from the document by the scene.

    Args:
        title: type name ("GroupedQueryAttention", "Repeat ×126").
        values: the two or three defining values ("d 768 · 12 heads").
        params: parameter count text ("7.1M").
        family: component family (selects the colour).
        severity: "error", "warning" or "" (outline colour).
        messages: diagnostics shown in the tooltip.
        doc: the catalog's one-line description (tooltip).
        extra: secondary line for owned components / references ("norm: RMSNorm").
        collapsed: container drawn as one summary box.
        summary: text inside a collapsed container ("9 components").
        merge: a Parallel's merge name, shown on its header and at its join.
        copy: which copy of a Repeat body this item draws (0 = the editable one).
        diff: highlighted as different (Compare).
        layers: a heterogeneous Repeat's variant per layer (its layer strip), or None.
    """

    title: str
    values: str = ""
    params: str = ""
    family: str = "other"
    severity: str = ""
    messages: list[str] = field(default_factory=list)
    doc: str = ""
    extra: str = ""
    collapsed: bool = False
    summary: str = ""
    merge: str = ""
    copy: int = 0
    diff: bool = False
    layers: list[int] | None = None


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


_TITLE, _BODY, _SMALL = _font(10.0, True), _font(9.0), _font(8.5)


class _DocItem(QGraphicsObject):
    """Common base: a rectangle that shows one document node."""

    def __init__(self, node_id: str, look: NodeLook, rect: QRectF, colors: CanvasColors) -> None:
        super().__init__()
        self.node_id = node_id
        self.look = look
        self._rect = rect
        self.colors = colors
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, look.copy == 0)
        self.setAcceptHoverEvents(True)
        self._refresh_tooltip()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-3, -3, 3, 3)

    def rect(self) -> QRectF:
        """The item's body rectangle in item coordinates."""
        return QRectF(self._rect)

    def set_look(self, look: NodeLook) -> None:
        """Show new text/state (after a parameter edit) without rebuilding the item."""
        self.look = look
        self._refresh_tooltip()
        self.update()

    def _refresh_tooltip(self) -> None:
        parts = [f"<b>{self.look.title}</b>"]
        if self.look.doc:
            parts.append(rst_to_html(self.look.doc))
        for message in self.look.messages:
            colour = self.colors.error if self.look.severity == "error" else self.colors.warning
            parts.append(f"<span style='color:{colour}'>{message}</span>")
        self.setToolTip("<br>".join(parts))

    def _outline(self) -> QPen:
        if self.isSelected():
            pen = QPen(QColor(self.colors.selection), 2.5)
        elif self.look.severity == "error":
            pen = QPen(QColor(self.colors.error), 2.5)
        elif self.look.severity == "warning":
            pen = QPen(QColor(self.colors.warning), 2.0)
        elif self.look.diff:
            pen = QPen(QColor(self.colors.diff), 2.5)
        else:
            pen = QPen(QColor(self.colors.frame), 1.0)
        pen.setCosmetic(pen.widthF() <= 1.0)
        return pen

    def _badge(self, painter: QPainter) -> None:
        if self.look.severity not in ("error", "warning"):
            return
        colour = self.colors.error if self.look.severity == "error" else self.colors.warning
        r = self._rect
        centre = QPointF(r.right() - 2, r.top() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawEllipse(centre, 8, 8)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(_font(8.5, True))
        painter.drawText(QRectF(centre.x() - 8, centre.y() - 8, 16, 16),
                         Qt.AlignmentFlag.AlignCenter, "!")


class NodeItem(_DocItem):
    """A component: family stripe, type, defining values, parameter count.

    Args:
        node_id: the document id it shows.
        look: the text and state to paint.
        rect: the body rectangle (item coordinates).
        colors: the theme's canvas colours.
    """

    def __init__(self, node_id: str, look: NodeLook, rect: QRectF, colors: CanvasColors) -> None:
        super().__init__(node_id, look, rect, colors)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        r = self._rect
        colour = family_color(self.look.family)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < _TINY_LOD:
            painter.fillRect(r, colour)
            return
        painter.setPen(self._outline())
        painter.setBrush(QColor(self.colors.node_fill))
        painter.drawRoundedRect(r, 6, 6)
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(r.left(), r.top(), 7, r.height()), 3, 3)
        painter.fillPath(stripe, colour)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < _DETAIL_LOD:
            painter.fillRect(QRectF(r.left() + 14, r.top() + 14, r.width() * 0.55, 10), colour)
            return
        text_left = r.left() + 16
        painter.setFont(_SMALL)
        painter.setPen(QColor(self.colors.dim_text))
        params_w = painter.fontMetrics().horizontalAdvance(self.look.params) + 10
        painter.drawText(QRectF(r.right() - params_w - 8, r.top() + 6, params_w, 18),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.look.params)
        painter.setFont(_TITLE)
        painter.setPen(QColor(self.colors.text))
        title_w = r.width() - (text_left - r.left()) - params_w - 12
        title = painter.fontMetrics().elidedText(self.look.title, Qt.TextElideMode.ElideRight,
                                                 int(title_w))
        painter.drawText(QRectF(text_left, r.top() + 6, title_w, 18),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(_BODY)
        painter.setPen(QColor(self.colors.dim_text))
        fm = painter.fontMetrics()
        width = int(r.width() - (text_left - r.left()) - 10)
        line2 = fm.elidedText(self.look.values, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRectF(text_left, r.top() + 25, width, 16),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line2)
        if self.look.extra:
            line3 = fm.elidedText(self.look.extra, Qt.TextElideMode.ElideRight, width)
            painter.setFont(_SMALL)
            painter.drawText(QRectF(text_left, r.top() + 41, width, 15),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line3)
        self._badge(painter)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802, ANN001
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.update()
        return super().itemChange(change, value)


class ContainerItem(_DocItem):
    """A container frame: header (type, ×N or merge, collapse toggle, total) and, for a
    Residual, the skip arc down its right side joining at ⊕; for a Parallel, the join.

    Args:
        node_id: the document id it shows.
        kind: "Block", "Pipeline", "Residual", "Repeat" or "Parallel".
        look: the text and state to paint.
        rect: the frame rectangle (item coordinates).
        colors: the theme's canvas colours.
    """

    def __init__(self, node_id: str, kind: str, look: NodeLook, rect: QRectF,
                 colors: CanvasColors) -> None:
        super().__init__(node_id, look, rect, colors)
        self.kind = kind
        self.setZValue(-1)

    def toggle_rect(self) -> QRectF:
        """Where the collapse/expand triangle is (clicking it toggles)."""
        r = self._rect
        return QRectF(r.left() + 4, r.top() + 4, 20, HEADER_H - 8)

    def strip_rect(self) -> QRectF:
        """Where the layer strip of a heterogeneous Repeat is painted."""
        r = self._rect
        return QRectF(r.left() + PAD, r.top() + HEADER_H + 4, r.width() - 2 * PAD, STRIP_H - 8)

    def count_rect(self) -> QRectF:
        """Where ×N (Repeat) or the merge name (Parallel) is drawn; double-click edits it."""
        r = self._rect
        return QRectF(r.left() + 24, r.top() + 2, r.width() * 0.6, HEADER_H - 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        r = self._rect
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setPen(self._outline())
        painter.setBrush(QColor(self.colors.frame_fill))
        if lod < _TINY_LOD:
            painter.drawRect(r)
            return
        painter.drawRoundedRect(r, 8, 8)
        header = QPainterPath()
        header.addRoundedRect(QRectF(r.left(), r.top(), r.width(), HEADER_H), 8, 8)
        painter.fillPath(header, QColor(self.colors.header_fill))
        if self.kind == "Residual" and not self.look.collapsed:
            self._skip(painter)
        if self.kind == "Parallel" and not self.look.collapsed:
            self._join(painter, self.look.merge or "sum")
        if self.look.layers and not self.look.collapsed:
            paint_strip(painter, self.strip_rect(), self.look.layers, self.colors.frame)
        if lod < _DETAIL_LOD:
            return
        painter.setPen(QColor(self.colors.dim_text))
        painter.setFont(_BODY)
        painter.drawText(self.toggle_rect(), Qt.AlignmentFlag.AlignCenter,
                         "▸" if self.look.collapsed else "▾")
        painter.setFont(_SMALL)
        params_w = painter.fontMetrics().horizontalAdvance(self.look.params) + 6
        painter.setPen(QColor(self.colors.dim_text))
        painter.drawText(QRectF(r.right() - params_w - 8, r.top(), params_w, HEADER_H),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.look.params)
        painter.setFont(_TITLE)
        painter.setPen(QColor(self.colors.text))
        title_w = r.width() - 26 - params_w - 14
        title = painter.fontMetrics().elidedText(self.look.title, Qt.TextElideMode.ElideRight,
                                                 int(title_w))
        painter.drawText(QRectF(r.left() + 26, r.top(), title_w, HEADER_H),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        if self.look.collapsed:
            painter.setFont(_BODY)
            painter.drawText(QRectF(r.left() + 12, r.top() + HEADER_H, r.width() - 24,
                                    r.height() - HEADER_H),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.look.summary)
        self._badge(painter)

    def _plus(self, painter: QPainter, centre: QPointF, text: str = "+") -> None:
        painter.setPen(QPen(QColor(self.colors.frame), 1.5))
        painter.setBrush(QColor(self.colors.node_fill))
        painter.drawEllipse(centre, 10, 10)
        painter.setPen(QPen(QColor(self.colors.text), 1.8))
        painter.drawLine(QPointF(centre.x() - 5, centre.y()), QPointF(centre.x() + 5, centre.y()))
        if text == "+":
            painter.drawLine(QPointF(centre.x(), centre.y() - 5),
                             QPointF(centre.x(), centre.y() + 5))

    def join_point(self) -> QPointF:
        """Centre of the ⊕ (Residual) or merge circle (Parallel), in item coordinates."""
        r = self._rect
        x = r.center().x() - (SKIP_LANE / 2 if self.kind == "Residual" else 0.0)
        return QPointF(x, r.bottom() - PAD - JOIN_H / 2 + 4)

    def _skip(self, painter: QPainter) -> None:
        r = self._rect
        join = self.join_point()
        lane_x = r.right() - SKIP_LANE / 2
        top = r.top() + HEADER_H + 4
        pen = QPen(QColor(self.colors.selection), 1.8)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath(QPointF(join.x(), top))
        path.cubicTo(QPointF(lane_x, top), QPointF(lane_x, top), QPointF(lane_x, top + 24))
        path.lineTo(QPointF(lane_x, join.y() - 24))
        path.cubicTo(QPointF(lane_x, join.y()), QPointF(lane_x, join.y()),
                     QPointF(join.x() + 10, join.y()))
        painter.drawPath(path)
        painter.setPen(QPen(QColor(self.colors.frame), 1.5))
        painter.drawLine(QPointF(join.x(), join.y() - 10 - (JOIN_H - 24)),
                         QPointF(join.x(), join.y() - 10))
        self._plus(painter, join)

    def _join(self, painter: QPainter, merge: str) -> None:
        join = self.join_point()
        painter.setPen(QPen(QColor(self.colors.frame), 1.5))
        painter.setBrush(QBrush(QColor(self.colors.node_fill)))
        painter.drawEllipse(join, 11, 11)
        painter.setFont(_SMALL)
        painter.setPen(QColor(self.colors.text))
        symbol = {"sum": "Σ", "mean": "μ", "concat": "‖"}.get(merge, merge[:1])
        painter.drawText(QRectF(join.x() - 11, join.y() - 11, 22, 22),
                         Qt.AlignmentFlag.AlignCenter, symbol)


class WireItem(QGraphicsItem):
    """A link from one child's output to the next one's input, inside one container.

    Args:
        container_id: the container whose wiring this edge belongs to.
        source: id of the feeding child ("" for the container's input).
        target: id of the fed child ("" for the container's output).
        start: start point (scene coordinates).
        end: end point (scene coordinates).
        colors: the theme's canvas colours.
        index: the child index a node dropped on this wire is inserted at.
    """

    def __init__(self, container_id: str, source: str, target: str, start: QPointF,
                 end: QPointF, colors: CanvasColors, index: int) -> None:
        super().__init__()
        self.container_id, self.source, self.target, self.index = container_id, source, target, index
        self.colors = colors
        self.highlight = False
        self._path = QPainterPath(start)
        if abs(start.x() - end.x()) < 1 or end.y() > start.y():
            if abs(start.x() - end.x()) < 1:
                self._path.lineTo(end)
            else:
                mid = (start.y() + end.y()) / 2
                self._path.cubicTo(QPointF(start.x(), mid), QPointF(end.x(), mid), end)
        else:  # a wire back up (never valid in a chain) bends out to the left
            bend = min(start.x(), end.x()) - 60
            self._path.cubicTo(QPointF(bend, start.y() + 40), QPointF(bend, end.y() - 40), end)
        self._end = end
        self.setZValue(-0.5)
        self.setAcceptHoverEvents(True)
        self.setToolTip("Drop a component here to insert it")

    def shape(self) -> QPainterPath:
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(14)
        return stroker.createStroke(self._path)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._path.boundingRect().adjusted(-8, -8, 8, 8)

    def set_highlight(self, on: bool) -> None:
        """Show that a drop would insert here."""
        if on != self.highlight:
            self.highlight = on
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colour = QColor(self.colors.selection if self.highlight else self.colors.frame)
        painter.setPen(QPen(colour, 3.0 if self.highlight else 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        end = self._end
        arrow = QPainterPath(end)
        arrow.lineTo(end.x() - 4.5, end.y() - 7)
        arrow.lineTo(end.x() + 4.5, end.y() - 7)
        arrow.closeSubpath()
        painter.fillPath(arrow, colour)


class PortItem(QGraphicsItem):
    """An input (top) or output (bottom) port; drag from an output to an input to wire.

    Args:
        container_id: the container both ends must belong to.
        node_id: the child the port belongs to.
        is_output: True for the bottom (output) port.
        colors: the theme's canvas colours.
    """

    def __init__(self, container_id: str, node_id: str, is_output: bool,
                 colors: CanvasColors) -> None:
        super().__init__()
        self.container_id, self.node_id, self.is_output = container_id, node_id, is_output
        self.colors = colors
        self._hover = False
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Drag to another component's input to wire them" if is_output
                        else "Input")

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-PORT_R - 2, -PORT_R - 2, 2 * PORT_R + 4, 2 * PORT_R + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.colors.selection if self._hover else self.colors.frame))
        r = PORT_R if self._hover else PORT_R * 0.6
        painter.drawEllipse(QPointF(0, 0), r, r)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802, ANN001
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802, ANN001
        self._hover = False
        self.update()
