"""Mouse and drag gestures on the canvas scene, turned into intent signals.

Drops from the palette (with the wire highlight and the insertion line), dragging nodes
to another place, dragging a wire between ports, header clicks, double-clicks and
right-click menus. Items may move under the mouse while a drag is in progress (feedback
only); on release the scene *says* what the person asked for (a signal such as
:attr:`EditorScene.move_requested`) and the editor, which owns the edits, acts on it.
The scene never calls the editor.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneDragDropEvent,
    QGraphicsSceneMouseEvent,
)

from olm_studio.canvas.items import ContainerItem, NodeItem, PortItem, WireItem
from olm_studio.canvas.scene import DropTarget, GraphScene
from olm_studio.dragdrop import MIME, component_of

__all__ = ["EditorScene"]


class EditorScene(GraphScene):
    """The document scene plus the mouse gestures on it.

    Args:
        theme: "dark" or "light".
    """

    component_dropped = Signal(str, QPointF)
    """A palette component (type key) was dropped at a scene position."""
    collapse_toggled = Signal(str)
    """The collapse arrow of a container (node id) was clicked."""
    header_edit_requested = Signal(str)
    """A Repeat/Parallel header's count (node id) was double-clicked."""
    quick_add_requested = Signal(QPointF)
    """Empty canvas was double-clicked at a scene position."""
    context_menu_requested = Signal(str, QPoint)
    """The context menu of a node (id) at a screen position."""
    wire_menu_requested = Signal(object, QPoint)
    """The context menu of a wire (the WireItem) at a screen position."""
    move_requested = Signal(list, object)
    """Dragged node ids were released over a DropTarget (None: nowhere they can go)."""
    wire_requested = Signal(str, str, str)
    """A wire was drawn: (container id, source id, target id)."""
    refused = Signal(str)
    """A gesture that cannot become an edit, with the reason for the person."""

    def __init__(self, theme: str) -> None:
        super().__init__(theme)
        self._press: QPointF | None = None
        self._dragging: list = []
        self._drag_origin: dict = {}
        self._wire_from: PortItem | None = None
        self._rubber: QGraphicsLineItem | None = None
        self._hover_wire: WireItem | None = None

    # -- palette drops ------------------------------------------------------------------
    def dragEnterEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        event.setAccepted(event.mimeData().hasFormat(MIME))

    def dragMoveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(MIME):
            event.ignore()
            return
        target = self.drop_target(event.scenePos())
        self._show_wire_hover(target.wire if target else None)
        self._show_insertion(target if target and target.wire is None else None)
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        self._show_wire_hover(None)
        self._show_insertion(None)

    def dropEvent(self, event: QGraphicsSceneDragDropEvent) -> None:  # noqa: N802
        self._show_wire_hover(None)
        self._show_insertion(None)
        if not event.mimeData().hasFormat(MIME):
            event.ignore()
            return
        key = component_of(event.mimeData())
        event.acceptProposedAction()
        if key:
            self.component_dropped.emit(key, event.scenePos())

    def _show_insertion(self, target: DropTarget | None) -> None:
        """The insertion line: where in a container a drop would put the component."""
        line = getattr(self, "_insertion", None)
        if line is not None and line.scene() is self:
            self.removeItem(line)
        self._insertion = None
        if target is None:
            return
        graph = self.data.graph
        order = [c for c in graph.order(target.container_id) if self.primary(c) is not None]
        if not order:
            box = self.primary(target.container_id)
            if box is None:
                return
            rect = box.sceneBoundingRect()
            y, left, right = rect.center().y(), rect.left() + 12, rect.right() - 12
        else:
            rects = [self.primary(c).sceneBoundingRect() for c in order]
            left = min(r.left() for r in rects)
            right = max(r.right() for r in rects)
            index = min(target.index, len(order))
            y = rects[index].top() - 11 if index < len(rects) else rects[-1].bottom() + 11
        pen = QPen(QColor(self.colors.selection), 3)
        self._insertion = self.addLine(left, y, right, y, pen)
        self._insertion.setZValue(5)

    def _show_wire_hover(self, wire: WireItem | None) -> None:
        if self._hover_wire is not None and self._hover_wire.scene() is self:
            self._hover_wire.set_highlight(False)
        self._hover_wire = wire
        if wire is not None:
            wire.set_highlight(True)

    # -- mouse: header clicks, node drags, wire drags -------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            for item in self.items(event.scenePos()):
                if isinstance(item, PortItem) and item.is_output:
                    self._start_wire(item, event.scenePos())
                    event.accept()
                    return
            hit = self.doc_item_at(event.scenePos())
            if isinstance(hit, ContainerItem) and hit.toggle_rect().contains(
                    hit.mapFromScene(event.scenePos())):
                self.collapse_toggled.emit(hit.node_id)
                event.accept()
                return
            self._press = event.scenePos()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._rubber is not None:
            line = self._rubber.line()
            line.setP2(event.scenePos())
            self._rubber.setLine(line)
            return
        if self._press is not None and not self._dragging and (
                event.buttons() & Qt.MouseButton.LeftButton):
            if (event.scenePos() - self._press).manhattanLength() > 12:
                self._begin_move()
        if self._dragging:
            delta = event.scenePos() - self._press
            for item in self._dragging:
                item.setPos(self._drag_origin[item] + delta)
            target = self.drop_target(event.scenePos(), self._moving_ids())
            self._show_wire_hover(target.wire if target else None)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._rubber is not None:
            self._finish_wire(event.scenePos())
            return
        if self._dragging:
            self._finish_move(event.scenePos())
            return
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        hit = self.doc_item_at(event.scenePos())
        if isinstance(hit, ContainerItem) and hit.count_rect().contains(
                hit.mapFromScene(event.scenePos())) and hit.kind in ("Repeat", "Parallel"):
            self.header_edit_requested.emit(hit.node_id)
            return
        if hit is None or (isinstance(hit, ContainerItem) and hit.node_id == self.data.graph.root):
            self.quick_add_requested.emit(event.scenePos())
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:  # noqa: N802
        for item in self.items(event.scenePos()):
            if isinstance(item, WireItem) and item.container_id:
                self.wire_menu_requested.emit(item, event.screenPos())
                return
        hit = self.doc_item_at(event.scenePos())
        if hit is None:
            return
        if not hit.isSelected():
            self.select_ids([hit.node_id])
        self.context_menu_requested.emit(hit.node_id, event.screenPos())

    # -- moving nodes ---------------------------------------------------------------------
    def _moving_ids(self) -> set[str]:
        ids: set[str] = set()
        for item in self._dragging:
            ids |= set(self.data.graph.subtree(item.node_id))
        return ids

    def _begin_move(self) -> None:
        hit = self.doc_item_at(self._press)
        graph = self.data.graph
        if hit is None or hit.node_id == graph.root or hit.look.copy or \
                graph.parent_of(hit.node_id) is None:
            self._press = None
            return
        if not hit.isSelected():
            self.select_ids([hit.node_id])
        moving = [self.primary(i) for i in self.selected_ids() if i != graph.root]
        self._dragging = [m for m in moving if m is not None]
        for node_id in list(self._moving_ids()):
            for item in self.items_by_id.get(node_id, []):
                if item not in self._dragging:
                    self._dragging.append(item)
        self._drag_origin = {item: item.pos() for item in self._dragging}
        for item in self._dragging:
            item.setOpacity(0.7)
            item.setZValue(item.zValue() + 10)

    def _finish_move(self, pos: QPointF) -> None:
        target = self.drop_target(pos, self._moving_ids())
        ids = [i.node_id for i in self._dragging if i.node_id in self.selected_ids()]
        self._dragging, self._press = [], None
        self._show_wire_hover(None)
        # The editor moves them, or (refused, or no target) redraws them where they were.
        self.move_requested.emit(ids, target)

    # -- wiring ---------------------------------------------------------------------------
    def _start_wire(self, port: PortItem, pos: QPointF) -> None:
        self._wire_from = port
        self._rubber = QGraphicsLineItem(port.scenePos().x(), port.scenePos().y(), pos.x(), pos.y())
        pen = QPen(QColor(self.colors.selection), 2, Qt.PenStyle.DashLine)
        self._rubber.setPen(pen)
        self.addItem(self._rubber)

    def _finish_wire(self, pos: QPointF) -> None:
        source = self._wire_from
        self.removeItem(self._rubber)
        self._rubber, self._wire_from = None, None
        target = None
        for item in self.items(pos):
            if isinstance(item, PortItem) and not item.is_output:
                target = item.node_id
                break
            if isinstance(item, NodeItem | ContainerItem) and item.node_id != source.node_id:
                target = item.node_id
                break
        if target is None:
            return
        graph = self.data.graph
        if target not in graph.nodes[source.container_id].children:
            self.refused.emit("A wire joins two parts of the same container.")
            return
        self.wire_requested.emit(source.container_id, source.node_id, target)
