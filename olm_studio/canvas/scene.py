"""The canvas scene: items drawn from the document, rebuilt or retexted on its events.

:meth:`GraphScene.rebuild` turns the document into a layout tree, places it with
:mod:`olm_studio.canvas.layout` and creates one item per box; :meth:`GraphScene.refresh`
only retexts existing items (after a parameter edit, which moves nothing). Items know
their document id; the scene maps ids back to items for selection and highlighting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from olm.graph.document import Graph
from olm.graph.node_text import repeat_variants_text
from olm_studio.canvas.items import PORT_R, ContainerItem, NodeItem, NodeLook, PortItem, WireItem
from olm_studio.canvas.layer_strip import has_strip, strip_pattern, variant_title
from olm_studio.canvas.layout import HEADER_H, Box, layout
from olm_studio.canvas.looks import defining_values, extra_line, format_count
from olm_studio.theme import CanvasColors, canvas_colors

__all__ = ["GraphScene", "SceneInput", "DropTarget", "MAX_COPIES"]

MAX_COPIES = 1024


@dataclass
class SceneInput:
    """Everything the scene draws from, computed by the controller.

    Args:
        graph: the document.
        env: evaluated model variables.
        counts: parameter count per node id (containers: their total).
        diagnostics: diagnostics per node id.
        family_of: type key → family (from the catalog).
        doc_of: type key → one-line description (from the catalog).
        diff: node ids to highlight (Compare).
    """

    graph: Graph
    env: dict[str, Any]
    counts: dict[str, int]
    diagnostics: dict[str, list[Any]]
    family_of: Callable[[str], str]
    doc_of: Callable[[str], str]
    diff: set[str] = field(default_factory=set)


@dataclass
class DropTarget:
    """Where a dropped component goes: ``container_id`` at child ``index``."""

    container_id: str
    index: int
    wire: WireItem | None = None


class GraphScene(QGraphicsScene):
    """The document drawn top to bottom.

    Args:
        theme: "dark" or "light".
    """

    selection_ids_changed = Signal(list)
    redrawn = Signal()

    def __init__(self, theme: str = "dark") -> None:
        super().__init__()
        self.colors: CanvasColors = canvas_colors(theme)
        self.data: SceneInput | None = None
        self.items_by_id: dict[str, list[QGraphicsItem]] = {}
        self.wires: list[WireItem] = []
        self.root_box: Box | None = None
        self._silent = False
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.selectionChanged.connect(self._on_selection)

    # -- building -------------------------------------------------------------------------
    def set_zoom(self, scale: float) -> None:
        """Hide wires and ports when zoomed so far out that they would be specks.

        This keeps a Repeat expanded to hundreds of copies smooth to pan and zoom: the
        hidden items cost nothing per frame, and the threshold is only crossed rarely.
        """
        detailed = scale >= 0.15
        if detailed == getattr(self, "_detailed", True):
            return
        self._detailed = detailed
        for item in self.items():
            if isinstance(item, WireItem | PortItem):
                item.setVisible(detailed)

    def set_theme(self, theme: str) -> None:
        """Switch colours and redraw."""
        self.colors = canvas_colors(theme)
        if self.data is not None:
            self.rebuild(self.data)

    def _tree(self, node_id: str, copy: int = 0) -> Box:
        graph = self.data.graph
        node = graph.nodes[node_id]
        if not node.is_container:
            return Box(node_id, copy=copy)
        view = graph.layout.get(node_id, {})
        box = Box(node_id, kind=node.type, collapsed=bool(view.get("collapsed")), copy=copy)
        if box.collapsed:
            return box
        order = [c for c in graph.order(node_id) if c in graph.nodes]
        if node.type == "Repeat" and view.get("show_copies") and len(order) == 1:
            count = self._repeat_count(node_id)
            box.children = [self._tree(order[0], copy=max(copy, i)) for i in range(count)]
        else:
            box.children = [self._tree(c, copy) for c in order]
        box.strip = has_strip(node)
        if node.type in ("Residual", "Repeat") and len(box.children) == 1:
            for child in box.children:
                inner = graph.nodes[child.key]
                if inner.type == "Block" and not child.collapsed and child.children and \
                        not graph.layout.get(child.key, {}).get("framed"):
                    child.flat = True
        return box

    def _repeat_count(self, node_id: str) -> int:
        from olm.graph.values import resolve

        try:
            count = int(resolve(self.data.graph.nodes[node_id].params.get("num_repeat", 1),
                                self.data.env))
        except Exception:  # noqa: BLE001 - an invalid count shows one copy
            count = 1
        return max(1, min(MAX_COPIES, count))

    def rebuild(self, data: SceneInput) -> None:
        """Recreate every item from ``data`` (after a structural change)."""
        self.data = data
        self._silent = True
        selected = set(self.selected_ids())
        self.clear()
        self.items_by_id, self.wires = {}, []
        if data.graph.root in data.graph.nodes:
            self.root_box = layout(self._tree(data.graph.root))
            self._place(self.root_box, None)
        if not getattr(self, "_detailed", True):
            self._detailed = True
            self.set_zoom(0.0)
        rect = self.itemsBoundingRect().adjusted(-400, -300, 400, 300)
        self.setSceneRect(rect)
        for node_id in selected:
            for item in self.items_by_id.get(node_id, [])[:1]:
                item.setSelected(True)
        self._silent = False
        self.redrawn.emit()

    def _place(self, box: Box, parent: Box | None) -> None:
        if box.flat:
            for child in box.children:
                self._place(child, box)
            self._wire(box)
            return
        look = self.look(box.key, box.copy, box.collapsed)
        rect = QRectF(0, 0, box.w, box.h)
        if box.is_container:
            item = ContainerItem(box.key, box.kind, look, rect, self.colors)
        else:
            item = NodeItem(box.key, look, rect, self.colors)
        item.setPos(box.x, box.y)
        self.addItem(item)
        self.items_by_id.setdefault(box.key, []).append(item)
        if box.is_container and not box.collapsed and box.children:
            for child in box.children:
                self._place(child, box)
            self._wire(box)

    def _wire(self, box: Box) -> None:
        kids = box.children
        if box.kind == "Parallel":
            self._wire_parallel(box)
            return
        graph = self.data.graph
        node = graph.nodes[box.key]
        index = {c: i for i, c in enumerate(graph.order(box.key))}
        editable = [k for k in kids if k.copy == 0]
        by_key = {k.key: k for k in editable}
        for src, dst in node.wires.edges:
            if src in by_key and dst in by_key:
                self._add_wire(box.key, by_key[src], by_key[dst], index.get(dst, 0))
        for a, b in zip(kids, kids[1:]):  # the copies of an expanded Repeat
            if b.copy > 0:
                self._add_wire("", a, b, -1)
        if box.kind in ("Block", "Pipeline"):
            for child in editable:
                self._ports(box.key, child)

    def _add_wire(self, container: str, a: Box, b: Box, index: int) -> None:
        start = QPointF(a.x + a.w / 2, a.y + a.h + PORT_R)
        end = QPointF(b.x + b.w / 2, b.y - PORT_R)
        wire = WireItem(container, a.key, b.key, start, end, self.colors, index)
        if not container:
            wire.setToolTip("")
        self.addItem(wire)
        if container:
            self.wires.append(wire)

    def _wire_parallel(self, box: Box) -> None:
        container = self.items_by_id[box.key][-1]
        join = container.mapToScene(container.join_point())
        top = QPointF(box.x + box.w / 2, box.y + HEADER_H)
        for child in box.children:
            self.addItem(WireItem("", "", child.key, top, QPointF(child.x + child.w / 2, child.y),
                                  self.colors, -1))
            self.addItem(WireItem("", child.key, "", QPointF(child.x + child.w / 2, child.y + child.h),
                                  QPointF(join.x(), join.y() - 11), self.colors, -1))

    def _ports(self, container_id: str, child: Box) -> None:
        for is_output, y in ((False, child.y), (True, child.y + child.h)):
            port = PortItem(container_id, child.key, is_output, self.colors)
            port.setPos(child.x + child.w / 2, y)
            self.addItem(port)

    # -- looks ----------------------------------------------------------------------------
    def look(self, node_id: str, copy: int = 0, collapsed: bool = False) -> NodeLook:
        """The text and state of one node, from the current document and figures."""
        data = self.data
        graph = data.graph
        node = graph.nodes[node_id]
        diags = data.diagnostics.get(node_id, [])
        severity = ("error" if any(d.severity == "error" for d in diags)
                    else "warning" if diags else "")
        count = data.counts.get(node_id)
        look = NodeLook(
            title=node.type,
            params=format_count(count) if count is not None else "",
            family="structure" if node.is_container else data.family_of(node.type),
            severity=severity,
            messages=[d.message for d in diags],
            doc=data.doc_of(node.type),
            collapsed=collapsed,
            copy=copy,
            diff=node_id in data.diff,
        )
        if node.is_container:
            self._container_look(look, node_id)
        else:
            look.values = defining_values(graph, node_id, data.env)
            look.extra = extra_line(graph, node_id)
            if copy:
                look.title = f"{node.type}  (copy {copy + 1})"
        return look

    def _container_look(self, look: NodeLook, node_id: str) -> None:
        graph = self.data.graph
        node = graph.nodes[node_id]
        if node_id == graph.root:
            look.title = graph.name
        if node.type == "Repeat":
            raw = node.params.get("num_repeat", 1)
            shown = raw.get("var") if isinstance(raw, dict) and "var" in raw else None
            count = self._repeat_count(node_id)
            look.title = f"Repeat ×{count}" + (f" · {shown}" if shown else "")
            if has_strip(node):
                look.layers = strip_pattern(node, self.data.env)
                if variants := repeat_variants_text(graph, node_id, look.layers, self.data.env):
                    look.title += f" · {variants}"
        elif (title := variant_title(graph, node_id, self.data.env)) is not None:
            look.title = title
        elif node.type == "Parallel":
            look.merge = str(node.params.get("merge", "sum"))
            look.title = f"Parallel · merge {look.merge}"
        leaves = sum(1 for i in graph.walk(node_id) if not graph.nodes[i].is_container)
        look.summary = f"{leaves} component{'s' if leaves != 1 else ''} · {look.params} params"
        if look.collapsed:
            look.doc = "Collapsed: click ▸ on its header to expand it in place."

    def refresh(self, data: SceneInput) -> None:
        """Retext every item from ``data`` (after a parameter edit; nothing moves)."""
        self.data = data
        for node_id, items in self.items_by_id.items():
            if node_id not in data.graph.nodes:
                continue
            for item in items:
                item.set_look(self.look(node_id, item.look.copy, item.look.collapsed))
        self.redrawn.emit()

    # -- queries --------------------------------------------------------------------------
    def primary(self, node_id: str) -> QGraphicsItem | None:
        """The editable (first-copy) item of ``node_id``."""
        items = self.items_by_id.get(node_id)
        return items[0] if items else None

    def selected_ids(self) -> list[str]:
        """Ids of the selected nodes, in document tree order."""
        ids = {it.node_id for it in self.selectedItems() if hasattr(it, "node_id")}
        if self.data is None:
            return list(ids)
        return [i for i in self.data.graph.walk() if i in ids]

    def select_ids(self, ids: list[str], emit: bool = True) -> None:
        """Select exactly the items of ``ids`` (``emit``: tell listeners, as a click would)."""
        self._silent = True
        self.clearSelection()
        for node_id in ids:
            item = self.primary(node_id)
            if item is not None:
                item.setSelected(True)
        self._silent = False
        if emit:
            self.selection_ids_changed.emit(self.selected_ids())

    def _on_selection(self) -> None:
        if not self._silent:
            self.selection_ids_changed.emit(self.selected_ids())

    def doc_item_at(self, pos: QPointF, exclude: set[str] | None = None) -> Any:
        """The topmost node/container item under ``pos`` (skipping ids in ``exclude``)."""
        for item in self.items(pos):
            node_id = getattr(item, "node_id", None)
            if node_id is not None and not isinstance(item, PortItem):
                if exclude and node_id in exclude:
                    continue
                return item
        return None

    def drop_target(self, pos: QPointF, exclude: set[str] | None = None) -> DropTarget | None:
        """Where a component dropped at ``pos`` goes: a wire, or a container + index."""
        for item in self.items(pos):
            if isinstance(item, WireItem) and item.container_id:
                if exclude and (item.source in exclude or item.target in exclude):
                    continue
                return DropTarget(item.container_id, item.index, item)
        graph = self.data.graph
        hit = self.doc_item_at(pos, exclude)
        node_id = hit.node_id if hit is not None else None
        while node_id is not None:
            node = graph.nodes[node_id]
            if node.is_container and not graph.layout.get(node_id, {}).get("collapsed"):
                break
            node_id = graph.parent_of(node_id)
        container = node_id if node_id is not None else graph.root
        node = graph.nodes[container]
        while node.type in ("Residual", "Repeat") and len(node.children) == 1 and \
                graph.nodes[node.children[0]].type == "Block":
            container = node.children[0]  # the frameless Block drawn inside it
            node = graph.nodes[container]
        horizontal = node.type == "Parallel"
        index = 0
        order = graph.order(container)
        for position, child in enumerate(order):
            if exclude and child in exclude:
                continue
            item = self.primary(child)
            if item is None:
                continue
            centre = item.sceneBoundingRect().center()
            if (centre.x() if horizontal else centre.y()) < (pos.x() if horizontal else pos.y()):
                index = position + 1
        return DropTarget(container, index)
