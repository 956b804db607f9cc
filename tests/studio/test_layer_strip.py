"""A heterogeneous Repeat on the canvas: variants side by side, the layer strip, editing."""

import torch
from PySide6.QtGui import QImage, QPainter

from olm.graph.describe_module import from_module
from olm.models import Gemma3Model
from olm_studio.canvas.items import ContainerItem
from olm_studio.canvas.layer_strip import VARIANT_COLORS


def tiny_gemma3_graph():
    with torch.device("meta"):
        model = Gemma3Model(128, 64, 96, 7, 4, 2, 16, 32, sliding_window=4)
    return from_module(model, name="TinyGemma3")


def open_gemma3(window):
    window.controller.set_document(tiny_gemma3_graph())
    graph = window.controller.graph
    (repeat,) = [i for i in graph.walk() if graph.nodes[i].type == "Repeat"]
    return graph, repeat


def test_variants_are_drawn_side_by_side_with_titles(window, qtbot):
    graph, repeat = open_gemma3(window)
    scene = window.canvas.scene
    frame = scene.primary(repeat)
    assert isinstance(frame, ContainerItem)
    assert frame.look.layers == [0, 0, 0, 0, 0, 1, 0]
    local_id, global_id = graph.nodes[repeat].children
    local, global_ = scene.primary(local_id), scene.primary(global_id)
    assert local.look.title == "A · local 4 · 6 of 7 layers"
    assert global_.look.title == "B · global · 1 of 7 layers"
    a, b = local.sceneBoundingRect(), global_.sceneBoundingRect()
    assert a.top() == b.top() and a.right() < b.left()  # side by side, not stacked
    assert frame.sceneBoundingRect().contains(a) and frame.sceneBoundingRect().contains(b)
    # the strip sits between the header and the variants
    strip = frame.mapRectToScene(frame.strip_rect())
    assert strip.bottom() <= a.top()


def test_the_strip_paints_one_cell_per_layer_in_its_variant_colour(window, qtbot):
    graph, repeat = open_gemma3(window)
    frame = window.canvas.scene.primary(repeat)
    rect = frame.strip_rect()
    image = QImage(int(frame.boundingRect().width()) + 2, int(frame.boundingRect().height()) + 2,
                   QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.translate(-frame.boundingRect().left(), -frame.boundingRect().top())
    frame.paint(painter, _option(), None)
    painter.end()
    cell = rect.width() / 7
    y = int(rect.center().y() - frame.boundingRect().top())
    colours = []
    for i in range(7):
        x = int(rect.left() + (i + 0.5) * cell - frame.boundingRect().left())
        colours.append(image.pixelColor(x, y).name().upper())
    a, b = VARIANT_COLORS[0].upper(), VARIANT_COLORS[1].upper()
    assert colours == [a, a, a, a, a, b, a]


def _option():
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    return QStyleOptionGraphicsItem()


def test_editing_one_variant_changes_only_that_variant(window, qtbot):
    graph, repeat = open_gemma3(window)
    local_id, global_id = graph.nodes[repeat].children

    def attention(variant):
        return next(i for i in graph.walk(variant) if graph.nodes[i].type == "GroupedQueryAttention")

    target = attention(global_id)
    before = graph.nodes[attention(local_id)].params.copy()
    assert window.canvas.edits.set_param(target, "rope_theta", 500000.0)
    assert graph.nodes[target].params["rope_theta"] == 500000.0
    assert graph.nodes[attention(local_id)].params == before
    # the canvas redrew from the document: the pattern and titles are unchanged
    frame = window.canvas.scene.primary(repeat)
    assert frame.look.layers == [0, 0, 0, 0, 0, 1, 0]
    # changing the pattern redraws the strip and the titles
    assert window.canvas.edits.set_param(repeat, "pattern", [0, 1])
    frame = window.canvas.scene.primary(repeat)
    assert frame.look.layers == [0, 1, 0, 1, 0, 1, 0]
    assert window.canvas.scene.primary(global_id).look.title == "B · global · 3 of 7 layers"
    window.controller.undo_stack.undo()
    assert window.canvas.scene.primary(repeat).look.layers == [0, 0, 0, 0, 0, 1, 0]


def _trigger(menu, text):
    action = next(a for a in menu.actions() if a.text() == text)
    action.trigger()


def test_context_menu_adds_and_removes_a_layer_variant(window, qtbot, h, monkeypatch):
    graph = window.controller.graph  # the tiny GPT-2: one uniform Repeat of 2 layers
    repeat = h.find(graph, "Repeat")
    _trigger(window.canvas.context_menu(repeat), "Add layer variant")
    node = graph.nodes[repeat]
    assert len(node.children) == 2 and node.params["pattern"] == [0, 1]
    frame = window.canvas.scene.primary(repeat)
    assert frame.look.layers == [0, 1]
    first, new = node.children
    assert window.canvas.scene.primary(new).look.title == "Variant B · 1 of 2 layers"

    # set the pattern through its dialog: "B A" makes the copy come first
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("B A", True)))
    _trigger(window.canvas.context_menu(repeat), "Set layer pattern…")
    assert graph.nodes[repeat].params["pattern"] == [1, 0]
    assert window.canvas.scene.primary(repeat).look.layers == [1, 0]

    _trigger(window.canvas.context_menu(new), "Remove layer variant B")
    assert graph.nodes[repeat].children == [first]
    assert "pattern" not in graph.nodes[repeat].params
    assert new not in graph.nodes
    for _ in range(3):
        window.controller.undo_stack.undo()
    assert len(graph.nodes[repeat].children) == 1 and "pattern" not in graph.nodes[repeat].params


def test_inspector_edits_the_pattern_as_letters(window, qtbot):
    graph, repeat = open_gemma3(window)
    window.controller.select([repeat])
    field = window.inspector.pattern_edit
    assert field.text() == "A A A A A B"
    field.setText("A B")
    field.editingFinished.emit()
    assert graph.nodes[repeat].params["pattern"] == [0, 1]
    assert window.canvas.scene.primary(repeat).look.layers == [0, 1, 0, 1, 0, 1, 0]
    field.setText("A C")  # there is no variant C
    field.editingFinished.emit()
    assert graph.nodes[repeat].params["pattern"] == [0, 1]
    assert field.text() == "A B"
    window.controller.undo_stack.undo()
    assert field.text() == "A A A A A B"
