"""The canvas editor: the scene and view plus every gesture, turned into edits.

Gestures (drop from the palette, drag a node elsewhere, drag a wire between ports,
right-click menus, header clicks, quick add) are translated into :class:`~olm_studio.edits.Edits`
calls; the scene then redraws from the document's events. Items may move under the
mouse while a drag is in progress (feedback only); on release the document decides.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from olm.graph.catalog import catalog
from olm.graph.document import SINGLE_CHILD
from olm_studio.canvas.clipboard import CanvasClipboard
from olm_studio.canvas.gestures import EditorScene
from olm_studio.canvas.header_edits import HeaderEdits
from olm_studio.canvas.items import WireItem
from olm_studio.canvas.quick_add import QuickAdd, replace_target
from olm_studio.canvas.scene import DropTarget, SceneInput
from olm_studio.canvas.variant_menu import variant_menu
from olm_studio.canvas.view import CanvasView
from olm_studio.controller import DocumentController
from olm_studio.edits import Edits
from olm_studio.rich import tooltip_html

__all__ = ["CanvasEditor"]

BIG_MODEL_PARAMS = 20_000_000_000  # above this, containers open collapsed


class CanvasEditor(QWidget):
    """The central widget: the canvas with its gestures.

    Args:
        controller: the document controller.
        theme: "dark" or "light".
        parent: the owning widget.
    """

    message = Signal(str)

    def __init__(self, controller: DocumentController, theme: str = "dark",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.edits = Edits(controller, self.report)
        self.scene = EditorScene(theme)
        self.view = CanvasView(self.scene, self)
        self.quick = QuickAdd(self.view)
        self._quick_pos = QPointF()
        self.flash: set[str] = set()
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._end_flash)
        self.diff: set[str] = set()
        # callables (menu, node_id) adding entries to a node's right-click menu (Freeze)
        self.menu_extensions: list = []
        self.clipboard = CanvasClipboard(controller, self.edits)
        self.headers = HeaderEdits(controller, self.edits, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.set_theme(theme)
        controller.document_replaced.connect(self._on_replaced)
        controller.structure_changed.connect(lambda: self.redraw(structural=True))
        controller.content_changed.connect(lambda: self.redraw(structural=False))
        controller.selection_changed.connect(self._select_from_controller)
        self.scene.selection_ids_changed.connect(controller.select)
        self._connect_scene_intents()
        self.view.quick_add_requested.connect(self.quick_add_at)
        self.view.zoom_changed.connect(self.scene.set_zoom)
        self.quick.chosen.connect(self._quick_chosen)
        self._on_replaced(fit=False)

    def _connect_scene_intents(self) -> None:
        """The scene says what the person asked for; the editor turns it into edits."""
        scene = self.scene
        scene.component_dropped.connect(self.add_component_at)
        scene.collapse_toggled.connect(self.toggle_collapsed)
        scene.header_edit_requested.connect(self.headers.edit_header)
        scene.quick_add_requested.connect(self.quick_add_at)
        scene.context_menu_requested.connect(
            lambda node_id, at: self.context_menu(node_id).exec(at))
        scene.wire_menu_requested.connect(lambda wire, at: self.wire_menu(wire).exec(at))
        scene.move_requested.connect(self._move_or_restore)
        scene.wire_requested.connect(self.edits.connect)
        scene.refused.connect(self.report)

    def _move_or_restore(self, ids: list[str], target: DropTarget | None) -> None:
        """Move dragged nodes; if that is refused, put them back where the document says."""
        if target is None or not self.move_nodes(ids, target):
            self.redraw(structural=True)

    # -- drawing ----------------------------------------------------------------------------
    def scene_input(self) -> SceneInput:
        """What the scene draws, from the controller's document and figures."""
        c = self.controller
        return SceneInput(c.graph, c.figures.env, c.figures.counts, c.figures.by_node,
                          c.family_of, c.doc_of, self.diff | self.flash)

    def redraw(self, structural: bool) -> None:
        """Rebuild (structure changed) or retext (values changed) the scene."""
        graph = self.controller.graph
        copies = any(v.get("show_copies") for v in graph.layout.values())
        if structural or copies or self.scene.data is None:
            self.scene.rebuild(self.scene_input())
            self.scene.select_ids(self.controller.selection, emit=False)
            self.view.minimap.sync()
        else:
            self.scene.refresh(self.scene_input())

    def _on_replaced(self, fit: bool = True) -> None:
        graph = self.controller.graph
        if not graph.layout and self.controller.figures.counts.get(graph.root, 0) > BIG_MODEL_PARAMS:
            for node_id, node in graph.nodes.items():
                if node.type == "Repeat":
                    graph.layout[node_id] = {"collapsed": True}
        self.redraw(structural=True)
        if fit:
            self.view.fit()

    def set_theme(self, theme: str) -> None:
        """Recolour the canvas."""
        self.scene.set_theme(theme)
        self.view.set_background(self.scene.colors.background, self.scene.colors.grid)

    def report(self, message: str) -> None:
        """Tell the user why an edit was refused (status bar via :attr:`message`)."""
        self.message.emit(message)
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(message, 8000)

    def _select_from_controller(self, ids: list[str]) -> None:
        if set(ids) != set(self.scene.selected_ids()):
            self.scene.select_ids(ids, emit=False)

    def reveal(self, node_id: str) -> None:
        """Select ``node_id`` and centre it (expanding collapsed containers around it)."""
        graph = self.controller.graph
        up = graph.parent_of(node_id)
        expanded = False
        while up is not None:
            if graph.layout.get(up, {}).get("collapsed"):
                graph.layout[up].pop("collapsed")
                expanded = True
            up = graph.parent_of(up)
        if expanded:
            self.redraw(structural=True)
        self.controller.select([node_id])
        self.scene.select_ids([node_id])
        item = self.scene.primary(node_id)
        if item is not None:
            self.view.centerOn(item)

    def _end_flash(self) -> None:
        self.flash = set()
        self.redraw(structural=False)

    # -- adding -----------------------------------------------------------------------------
    def add_component_at(self, type_key: str, pos: QPointF) -> str | None:
        """Add ``type_key`` where a drop at scene ``pos`` lands (wire, container, or end)."""
        target = self.scene.drop_target(pos) if self.scene.data else None
        if target is None:
            return self.edits.add_component(type_key)
        return self.edits.add_component(type_key, target.container_id, target.index)

    def add_component_at_center(self, type_key: str) -> str | None:
        """Palette double-click: add at the end of the selected container, or the model."""
        graph = self.controller.graph
        sel = self.controller.selection
        container = sel[0] if sel and graph.nodes[sel[0]].is_container else graph.root
        if graph.nodes[container].type in SINGLE_CHILD and graph.nodes[container].children:
            container = graph.root
        return self.edits.add_component(type_key, container, None)

    def quick_add_at(self, pos: QPointF) -> None:
        """Open the quick-add search at scene ``pos``."""
        self._quick_pos = pos
        self.quick.popup(self.view.mapFromScene(pos))

    def _quick_chosen(self, type_key: str) -> str | None:
        """Quick add chose ``type_key``: replace the selected node of its family, else add."""
        c = self.controller
        target = replace_target(c.graph, c.selection, type_key, c.family_of)
        if target is not None:
            return target if self.edits.replace(target, type_key) else None
        return self.add_component_at(type_key, self._quick_pos)

    def quick_add_at_cursor(self) -> None:
        """Edit → Quick Add: at the mouse if over the canvas, else the view centre."""
        local = self.view.mapFromGlobal(self.cursor().pos())
        if not self.view.rect().contains(local):
            local = self.view.rect().center()
        self.quick_add_at(self.view.mapToScene(local))

    # -- moving -----------------------------------------------------------------------------
    def move_nodes(self, ids: list[str], target: DropTarget) -> bool:
        """Move nodes to ``target`` (one undo step); False if nothing changed."""
        graph = self.controller.graph
        ids = [i for i in ids if i in graph.nodes and i != graph.root]
        if not ids:
            return False
        if len(ids) == 1:
            node_id = ids[0]
            parent = graph.parent_of(node_id)
            if parent == target.container_id:
                current = graph.nodes[parent].children.index(node_id)
                if target.index in (current, current + 1):
                    return False
                index = target.index - (1 if target.index > current else 0)
                return self.edits.move(node_id, parent, index)
            return self.edits.move(node_id, target.container_id, target.index)
        from olm.graph.commands import Macro, MoveNode

        commands = [MoveNode(i, target.container_id, target.index + k) for k, i in enumerate(ids)]
        return self.edits.run(Macro(f"move {len(ids)} parts", commands))

    def select_all(self) -> None:
        """Select every top-level part of the model."""
        graph = self.controller.graph
        ids = [i for i in graph.walk() if i != graph.root and self.scene.primary(i) is not None]
        self.scene.select_ids(ids)

    # -- view state -------------------------------------------------------------------------
    def toggle_collapsed(self, node_id: str) -> None:
        """Collapse or expand a container."""
        current = bool(self.controller.graph.layout.get(node_id, {}).get("collapsed"))
        self.controller.set_view(node_id, "collapsed", not current)

    def set_all_collapsed(self, collapsed: bool) -> None:
        """Collapse (or expand) every container but the model itself."""
        graph = self.controller.graph
        for node_id, node in graph.nodes.items():
            if node.is_container and node_id != graph.root:
                entry = graph.layout.setdefault(node_id, {})
                if collapsed:
                    entry["collapsed"] = True
                else:
                    entry.pop("collapsed", None)
        self.redraw(structural=True)

    def auto_layout(self) -> None:
        """Arrange the model top to bottom again and fit it."""
        self.redraw(structural=True)
        self.view.fit()

    def set_show_copies(self, node_id: str, show: bool) -> None:
        """Draw every copy of a Repeat (or just the one that is edited)."""
        self.controller.set_view(node_id, "show_copies", show)

    # -- context menus ----------------------------------------------------------------------
    def context_menu(self, node_id: str) -> QMenu:
        """The right-click menu of a node or container."""
        graph = self.controller.graph
        node = graph.nodes[node_id]
        menu = QMenu(self)
        sel = [i for i in self.controller.selection if i != graph.root] or [node_id]
        if not node.is_container and node.type in catalog():
            same = self.same_family(sel if node_id in sel else [node_id], node.type)
            title = "Replace with…" if len(same) == 1 else f"Replace {len(same)} selected with…"
            every = [i for i in graph.walk() if graph.nodes[i].type == node.type]
            menus = [(title, same)]
            if len(every) > 1:
                menus.append((f"Replace all {node.type} ({len(every)}) with…", every))
            for menu_title, ids in menus:
                replace = menu.addMenu(menu_title)
                replace.setToolTipsVisible(True)
                for spec in sorted(catalog().same_role(node.type), key=lambda s: s.name):
                    action = replace.addAction(spec.name)
                    action.setToolTip(tooltip_html(spec.name, spec.doc))
                    action.triggered.connect(
                        lambda _=False, t=spec.name, ids=ids: self.replace_ids(ids, t))
        if node_id != graph.root:
            wrap = menu.addMenu("Wrap in")
            for kind in ("Residual", "Repeat", "Block", "Parallel"):
                wrap.addAction(kind).triggered.connect(
                    lambda _=False, k=kind: self.edits.wrap(sel, k))
            menu.addAction("Duplicate").triggered.connect(lambda: self.clipboard.duplicate())
            menu.addAction("Delete").triggered.connect(lambda: self.clipboard.delete_selection())
        if node.is_container:
            menu.addSeparator()
            collapsed = graph.layout.get(node_id, {}).get("collapsed")
            menu.addAction("Expand" if collapsed else "Collapse").triggered.connect(
                lambda: self.toggle_collapsed(node_id))
            if node_id != graph.root:
                menu.addAction("Unwrap").triggered.connect(lambda: self.edits.unwrap(node_id))
            if node.type == "Repeat":
                menu.addAction("Set count…").triggered.connect(
                    lambda: self.headers.ask_repeat_count(node_id))
                showing = graph.layout.get(node_id, {}).get("show_copies")
                menu.addAction("Show one copy" if showing else "Show all copies").triggered.connect(
                    lambda: self.set_show_copies(node_id, not showing))
            if node.type == "Parallel":
                menu.addMenu(self.headers.merge_menu(node_id)).setText("Merge")
        for extend in self.menu_extensions:
            extend(menu, node_id)
        variant_menu(menu, self, graph, node_id)
        return menu

    def wire_menu(self, wire: WireItem) -> QMenu:
        """The right-click menu of a wire."""
        menu = QMenu(self)
        menu.addAction("Remove wire").triggered.connect(
            lambda: self.edits.disconnect(wire.container_id, wire.source, wire.target))
        return menu

    def replace(self, node_id: str, new_type: str) -> bool:
        """Replace a component and flash it so the change is visible."""
        return bool(self.replace_ids([node_id], new_type))

    def same_family(self, ids: list[str], type_key: str) -> list[str]:
        """Those of ``ids`` that are components of ``type_key``'s family."""
        family = self.controller.family_of(type_key)
        graph = self.controller.graph
        return [i for i in ids if i in graph.nodes and not graph.nodes[i].is_container
                and self.controller.family_of(graph.nodes[i].type) == family]

    def replace_ids(self, ids: list[str], new_type: str) -> list[str]:
        """Replace several components as one undo step and flash them."""
        done = self.edits.replace_many(ids, new_type)
        if done:
            self.flash = set(done)
            self.redraw(structural=False)
            self._flash_timer.start(900)
        return done


