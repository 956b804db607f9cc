"""Canvas gestures drive the document: drops, wire inserts, swaps, moves, wiring, menus."""

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu

from olm_studio.canvas.items import WireItem

# Qt 6 marks the QPoint constructors of the drag events deprecated but offers no QPointF
# ones for enter/move; the warnings they raise are expected.
pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")


def drop(window, qtbot, mime, scene_pos: QPointF) -> None:
    """Drag ``mime`` onto the canvas at ``scene_pos`` as a real drag would (enter, move, drop)."""
    view = window.canvas.view
    view.centerOn(scene_pos)
    QApplication.processEvents()
    pos = QPointF(view.mapFromScene(scene_pos))
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (QDragEnterEvent(pos.toPoint(), actions, mime, buttons, mods),
                  QDragMoveEvent(pos.toPoint(), actions, mime, buttons, mods),
                  QDropEvent(pos, actions, mime, buttons, mods)):
        QApplication.sendEvent(view.viewport(), event)
    QApplication.processEvents()


def palette_mime(window, key):
    """The drag data the palette itself produces for entry ``key``."""
    tree = window.palette.tree
    return tree.mimeData([window.palette.entries[key]])


def trigger(menu: QMenu, *path: str) -> None:
    """Trigger the menu action reached through ``path`` (submenu titles, then the action)."""
    for title in path[:-1]:
        menu = next(a.menu() for a in menu.actions() if a.text() == title)
    action = next(a for a in menu.actions() if a.text() == path[-1])
    action.trigger()


def test_drop_from_palette_into_a_container(window, qtbot, h):
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    block = graph.parent_of(attn)  # the Block inside the first Residual
    item = window.canvas.scene.primary(attn)
    below = item.sceneBoundingRect().center() + QPointF(0, item.sceneBoundingRect().height() * 0.6)
    before = len(graph.nodes)
    drop(window, qtbot, palette_mime(window, "RMSNorm"), below)
    assert len(graph.nodes) == before + 1
    order = graph.order(block)
    assert [graph.nodes[i].type for i in order] == ["LayerNorm", "FlashAttention", "RMSNorm"]
    new = order[-1]
    assert graph.nodes[new].params["d_model"] == {"var": "embed_dim"}
    assert window.canvas.scene.primary(new) is not None  # the canvas redrew from the event
    assert window.controller.selection == [new]
    window.controller.undo_stack.undo()
    assert [graph.nodes[i].type for i in graph.order(block)] == ["LayerNorm", "FlashAttention"]


def test_drop_on_a_wire_inserts_between(window, qtbot, h):
    graph = window.controller.graph
    norm, attn = h.find(graph, "LayerNorm"), h.find(graph, "FlashAttention")
    wire = next(w for w in window.canvas.scene.wires if (w.source, w.target) == (norm, attn))
    assert isinstance(wire, WireItem)
    middle = wire.shape().boundingRect().center()
    drop(window, qtbot, palette_mime(window, "Linear"), middle)
    block = graph.parent_of(attn)
    types = [graph.nodes[i].type for i in graph.order(block)]
    assert types == ["LayerNorm", "Linear", "FlashAttention"]
    edges = set(graph.nodes[block].wires.edges)
    new = graph.order(block)[1]
    assert edges == {(norm, new), (new, attn)}


def test_replace_with_keeps_place_wires_and_shared_params(window, h):
    graph = window.controller.graph
    norm = h.find(graph, "LayerNorm")
    block = graph.parent_of(norm)
    wires = set(graph.nodes[block].wires.edges)
    params = dict(graph.nodes[norm].params)
    window.canvas.scene.select_ids([norm])
    menu = window.canvas.context_menu(norm)
    replace_titles = [a.text() for a in next(a.menu() for a in menu.actions()
                                            if a.text() == "Replace with…").actions()]
    assert "RMSNorm" in replace_titles and "SwiGLUFFN" not in replace_titles
    trigger(menu, "Replace with…", "RMSNorm")
    assert graph.nodes[norm].type == "RMSNorm"
    assert graph.nodes[norm].params == params  # d_model (embed_dim) and eps kept
    assert set(graph.nodes[block].wires.edges) == wires
    assert window.canvas.scene.primary(norm).look.family == "norm"
    assert window.canvas.scene.primary(norm).look.title == "RMSNorm"
    # undo / redo through the real actions
    window.actions_by_key["undo"].trigger()
    assert graph.nodes[norm].type == "LayerNorm"
    window.actions_by_key["redo"].trigger()
    assert graph.nodes[norm].type == "RMSNorm"


def test_consecutive_edits_of_one_field_merge(window, h):
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    window.canvas.scene.select_ids([attn])
    spin = window.inspector.spin_for("embed_dim")
    assert spin.isReadOnly() and spin.value() == 64  # bound: shows the variable's value
    assert window.inspector.rows["embed_dim"].bind.text() == "= embed_dim"
    window.canvas.edits.set_param(attn, "num_heads", 2)
    window.canvas.edits.set_param(attn, "num_heads", 8)
    window.canvas.edits.set_param(attn, "num_heads", 16)
    stack = window.controller.undo_stack
    assert stack.count() == 1
    stack.undo()
    assert graph.nodes[attn].params["num_heads"] == {"var": "num_heads"}


def test_inspector_spin_box_edits_the_document(window, qtbot, h):
    graph = window.controller.graph
    window.canvas.edits.set_param(h.find(graph, "FlashAttention"), "num_heads", 4)
    attn = h.find(graph, "FlashAttention")
    window.canvas.scene.select_ids([attn])
    spin = window.inspector.spin_for("num_heads")
    assert spin is not None and spin.value() == 4 and spin.maximum() == 1024
    spin.setValue(8)
    assert graph.nodes[attn].params["num_heads"] == 8
    window.controller.undo_stack.undo()  # one step: both edits of num_heads merged
    assert graph.nodes[attn].params["num_heads"] == {"var": "num_heads"}
    assert spin.value() == 4 and spin.isReadOnly()  # redrawn: bound to num_heads = 4


def test_an_invalid_value_shows_red_and_in_diagnostics(window, h):
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    window.canvas.edits.set_param(attn, "num_heads", 7)  # 64 is not divisible by 7
    item = window.canvas.scene.primary(attn)
    assert item.look.severity == "error"
    assert any("7" in m for m in item.look.messages)
    assert "7" in item.toolTip()
    assert window.diagnostics.count() >= 1
    listed = window.diagnostics.tree.topLevelItem(0)
    window.diagnostics.tree.itemClicked.emit(listed, 0)
    assert window.controller.selection == [listed.data(0, Qt.ItemDataRole.UserRole)]
    assert "error" in window.figure_line.text()


def test_wire_that_would_make_a_loop_is_refused(window, h):
    graph = window.controller.graph
    norm, attn = h.find(graph, "LayerNorm"), h.find(graph, "FlashAttention")
    block = graph.parent_of(attn)
    before = set(graph.nodes[block].wires.edges)
    messages = []
    window.canvas.message.connect(messages.append)
    assert not window.canvas.edits.connect(block, attn, norm)
    assert messages and "loop" in messages[0]
    assert set(graph.nodes[block].wires.edges) == before
    assert window.controller.undo_stack.count() == 0


def test_drag_a_node_into_another_container_rewires_both(window, qtbot, h):
    graph = window.controller.graph
    norm2 = h.find(graph, "LayerNorm", 1)
    ffn = h.find(graph, "ClassicFFN")
    attn = h.find(graph, "FlashAttention")
    first_block, second_block = graph.parent_of(attn), graph.parent_of(ffn)
    view = window.canvas.view
    source = window.canvas.scene.primary(ffn).sceneBoundingRect().center()
    target_item = window.canvas.scene.primary(attn).sceneBoundingRect()
    target = QPointF(target_item.center().x(), target_item.bottom() + 8)
    view.fit()
    QApplication.processEvents()

    def mouse(kind, at, buttons):
        pos = QPointF(view.mapFromScene(at))
        event = QMouseEvent(kind, pos, view.viewport().mapToGlobal(pos), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view.viewport(), event)

    left = Qt.MouseButton.LeftButton
    mouse(QEvent.Type.MouseButtonPress, source, left)
    mouse(QEvent.Type.MouseMove, source + QPointF(0, -30), left)
    mouse(QEvent.Type.MouseMove, target, left)
    mouse(QEvent.Type.MouseButtonRelease, target, Qt.MouseButton.NoButton)
    assert graph.parent_of(ffn) == first_block
    assert [graph.nodes[i].type for i in graph.order(first_block)] == \
        ["LayerNorm", "FlashAttention", "ClassicFFN"]
    assert graph.order(second_block) == [norm2]
    assert set(graph.nodes[second_block].wires.edges) == set()
    window.controller.undo_stack.undo()
    assert graph.parent_of(ffn) == second_block


def test_wrap_selection_and_unwrap(window, h):
    graph = window.controller.graph
    norm, attn = h.find(graph, "LayerNorm"), h.find(graph, "FlashAttention")
    block = graph.parent_of(attn)
    window.canvas.scene.select_ids([norm, attn])
    trigger(window.canvas.context_menu(attn), "Wrap in", "Repeat")
    (outer,) = graph.nodes[block].children
    assert graph.nodes[outer].type == "Repeat"
    inner = graph.nodes[outer].children[0]
    assert graph.order(inner) == [norm, attn]
    assert window.canvas.headers.set_repeat_count(outer, 3)
    assert graph.nodes[outer].params["num_repeat"] == 3
    assert "×3" in window.canvas.scene.primary(outer).look.title
    trigger(window.canvas.context_menu(outer), "Unwrap")
    assert graph.order(block) == [inner]


def test_repeat_bound_to_a_variable_edits_the_variable(window, h):
    graph = window.controller.graph
    repeat = h.find(graph, "Repeat")
    assert graph.nodes[repeat].params["num_repeat"] == {"var": "num_layers"}
    window.canvas.headers.set_repeat_count(repeat, 5)
    assert graph.variables["num_layers"] == 5
    assert window.canvas.scene.primary(repeat).look.title.startswith("Repeat ×5")


def test_parallel_merge_is_set_from_its_header_menu(window, h):
    graph = window.controller.graph
    norm, attn = h.find(graph, "LayerNorm"), h.find(graph, "FlashAttention")
    window.canvas.edits.wrap([norm, attn], "Parallel")
    par = h.find(graph, "Parallel")
    menu = window.canvas.context_menu(par)
    trigger(menu, "Merge", "mean")
    assert graph.nodes[par].params["merge"] == "mean"
    assert "mean" in window.canvas.scene.primary(par).look.title


def test_copy_paste_delete_select_all(window, h):
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    block = graph.parent_of(attn)
    top_level = list(graph.nodes[graph.root].children)
    window.canvas.scene.select_ids([attn])
    window.actions_by_key["copy"].trigger()
    window.actions_by_key["paste"].trigger()
    types = [graph.nodes[i].type for i in graph.order(block)]
    assert types == ["LayerNorm", "FlashAttention", "FlashAttention"]
    pasted = graph.order(block)[2]
    assert pasted != attn and graph.nodes[pasted].params == graph.nodes[attn].params
    assert window.controller.selection == [pasted]
    window.actions_by_key["delete"].trigger()
    assert pasted not in graph.nodes
    window.actions_by_key["select_all"].trigger()
    assert len(window.controller.selection) > 5
    window.canvas.clipboard.delete_selection()
    assert graph.nodes[graph.root].children == []
    window.controller.undo_stack.undo()
    assert graph.nodes[graph.root].children == top_level


def test_quick_add_enter_adds_top_match(window, qtbot):
    graph = window.controller.graph
    scene_pos = window.canvas.scene.primary(graph.root).sceneBoundingRect().bottomLeft() + \
        QPointF(20, -5)
    window.canvas.quick_add_at(scene_pos)
    popup = window.canvas.quick
    assert popup.isVisible()
    qtbot.keyClicks(popup.edit, "rmsno")
    assert popup.top_match() == "RMSNorm"
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert not popup.isVisible()
    last = graph.order(graph.root)[-1]
    assert graph.nodes[last].type == "RMSNorm"


def test_tab_on_canvas_opens_quick_add(window, qtbot):
    view = window.canvas.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert window.canvas.quick.isVisible()


def test_palette_search_filters_by_name_and_description(window):
    shown = window.palette.filter("rms")
    assert "RMSNorm" in shown and "LayerNorm" not in shown
    assert window.palette.visible_keys() == shown
    assert window.palette.filter("") and len(window.palette.visible_keys()) > 20


def test_collapse_expand_and_show_all_copies(window, h):
    graph = window.controller.graph
    repeat = h.find(graph, "Repeat")
    window.canvas.toggle_collapsed(repeat)
    scene = window.canvas.scene
    assert scene.primary(repeat).look.collapsed
    assert scene.primary(h.find(graph, "FlashAttention")) is None
    assert "components" in scene.primary(repeat).look.summary
    window.canvas.toggle_collapsed(repeat)
    window.canvas.set_show_copies(repeat, True)
    attn = h.find(graph, "FlashAttention")
    assert len(scene.items_by_id[attn]) == 2  # num_layers = 2 copies drawn
    assert [i.look.copy for i in scene.items_by_id[attn]] == [0, 1]
    assert window.controller.undo_stack.count() == 0  # view state is not an edit
    assert graph.layout[repeat]["show_copies"] is True


def test_zoom_fit_and_minimap(window):
    view = window.canvas.view
    view.fit()
    scale = view.scale_factor()
    view.zoom_by(2.0)
    assert abs(view.scale_factor() - min(4.0, scale * 2)) < 1e-6
    assert window.figure_line.zoom.text() == f"{view.scale_factor() * 100:.0f} %"
    assert view.minimap.isVisible()
    before = view.mapToScene(view.viewport().rect().center())
    view.pan_by(0, 200)
    after = view.mapToScene(view.viewport().rect().center())
    assert after.y() > before.y()


def test_dragging_over_a_container_shows_the_insertion_line(window, qtbot, h):
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    rect = window.canvas.scene.primary(attn).sceneBoundingRect()
    view = window.canvas.view
    view.centerOn(rect.center())
    QApplication.processEvents()
    pos = QPointF(view.mapFromScene(QPointF(rect.center().x(), rect.bottom() - 4)))
    mime = palette_mime(window, "RMSNorm")
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, buttons, mods),
                  QDragMoveEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, buttons, mods)):
        QApplication.sendEvent(view.viewport(), event)
    line = window.canvas.scene._insertion
    assert line is not None
    y = line.line().y1()
    assert rect.bottom() < y < rect.bottom() + 30  # just below the attention node


def test_palette_shows_the_description_and_double_click_adds(window):
    from olm.graph.catalog import catalog

    item = window.palette.entries["SwiGLUFFN"]
    window.palette.tree.setCurrentItem(item)
    from olm_studio.rich import rst_to_html

    # Issue 12 item 5: the description is shown rendered, not as raw reST.
    assert rst_to_html(catalog().get("SwiGLUFFN").doc) in window.palette.description.text()
    graph = window.controller.graph
    window.canvas.scene.select_ids([])
    window.palette.tree.itemDoubleClicked.emit(item, 0)
    assert graph.nodes[graph.order(graph.root)[-1]].type == "SwiGLUFFN"
