"""Issue 12 items 3 and 4: bulk replace, selection-wide edits, honest placeholders."""

from PySide6.QtWidgets import QMenu

from olm.graph.suggest import kv_heads_for
from olm.graph.to_module import build
from olm_studio.panels.editors import MISSING_TEXT


def _types(graph, type_key):
    return [i for i in graph.walk() if graph.nodes[i].type == type_key]


def _submenu(menu: QMenu, prefix: str) -> QMenu:
    for action in menu.actions():
        if action.menu() is not None and action.text().startswith(prefix):
            return action.menu()
    raise AssertionError(f"no {prefix!r} in {[a.text() for a in menu.actions()]}")


def _choose(menu: QMenu, text: str) -> None:
    next(a for a in menu.actions() if a.text() == text).trigger()


def test_replace_all_layernorms_is_one_undo_step_with_a_count(window, h):
    graph = window.controller.graph
    norms = _types(graph, "LayerNorm")
    assert len(norms) == 3  # two in the layer, the final norm
    stack = window.controller.undo_stack
    before = stack.count()
    menu = window.canvas.context_menu(norms[0])
    _choose(_submenu(menu, "Replace all LayerNorm (3)"), "RMSNorm")
    assert _types(graph, "LayerNorm") == [] and len(_types(graph, "RMSNorm")) == 3
    assert stack.count() == before + 1
    assert "Replaced 3 LayerNorm parts with RMSNorm" in window.statusBar().currentMessage()
    build(graph, device="meta")  # still a model
    stack.undo()
    assert len(_types(graph, "LayerNorm")) == 3


def test_replace_delete_wrap_and_param_edits_apply_to_the_whole_selection(window, qtbot, h):
    graph = window.controller.graph
    stack = window.controller.undo_stack
    norms = _types(graph, "LayerNorm")[:2]
    window.canvas.scene.select_ids(norms)
    assert window.controller.selection == norms
    # The inspector edits both (one step).
    assert window.inspector.title.text().endswith("2 × LayerNorm")
    count = stack.count()
    window.inspector._commit(norms[0], "eps", 1e-3)  # what the float field's commit does
    assert [graph.nodes[i].params["eps"] for i in norms] == [1e-3, 1e-3]
    assert stack.count() == count + 1
    # Replace from the right-click menu: both.
    menu = window.canvas.context_menu(norms[1])
    _choose(_submenu(menu, "Replace 2 selected with"), "RMSNorm")
    assert [graph.nodes[i].type for i in norms] == ["RMSNorm", "RMSNorm"]
    assert len(_types(graph, "LayerNorm")) == 1
    assert stack.count() == count + 2
    assert window.inspector.title.text().endswith("2 × RMSNorm")
    # Wrap a norm and its attention (siblings): one step.
    pair = [norms[0], h.find(graph, "FlashAttention")]
    window.canvas.scene.select_ids(pair)
    assert window.controller.selection == pair
    menu = window.canvas.context_menu(norms[0])
    _choose(_submenu(menu, "Wrap in"), "Residual")
    inner = graph.parent_of(norms[0])
    assert graph.parent_of(pair[1]) == inner and graph.nodes[graph.parent_of(inner)].type == "Residual"
    assert stack.count() == count + 3
    # Delete both: one step.
    window.canvas.scene.select_ids(norms)
    menu = window.canvas.context_menu(norms[0])
    _choose(menu, "Delete")
    assert not any(i in graph.nodes for i in norms)
    assert stack.count() == count + 4


def test_missing_required_values_show_empty_and_marked(window, h):
    graph = window.controller.graph
    ffn = h.find(graph, "ClassicFFN")
    window.canvas.edits.add_component("Linear", graph.parent_of(ffn))
    linear = window.controller.selection[0]
    window.controller.select([])
    window.controller.select([linear])
    rows = window.inspector.rows
    required = [n for n, r in rows.items() if r.spec.required and n not in graph.nodes[linear].params]
    assert required, "Linear should have required values still missing"
    for name in required:
        spin = window.inspector.spin_for(name)
        assert spin is not None
        assert spin.text() == MISSING_TEXT and spin.value() < 1  # not a made-up "1"
        assert spin.property("missing") and "ff6b6b" in spin.styleSheet()
        assert rows[name].label.text().endswith("*")
    assert any(d.severity == "error" for d in window.controller.figures.by_node.get(linear, []))
    # Typing a value clears the mark and sets it.
    spin = window.inspector.spin_for(required[0])
    spin.setValue(32)
    assert graph.nodes[linear].params[required[0]] == 32
    assert not spin.property("missing") and spin.text() != MISSING_TEXT


def test_replace_with_gqa_fills_kv_heads_and_says_so(window, h):
    graph = window.controller.graph
    attention = next(i for i in graph.walk()
                     if window.controller.family_of(graph.nodes[i].type) == "attention")
    heads = window.controller.figures.env["num_heads"]
    window.controller.select([attention])
    menu = window.canvas.context_menu(attention)
    _choose(_submenu(menu, "Replace with"), "GroupedQueryAttention")
    node = graph.nodes[attention]
    assert node.type == "GroupedQueryAttention"
    assert node.params["num_kv_heads"] == kv_heads_for(heads) == 1  # 4 heads: a quarter
    message = window.statusBar().currentMessage()
    assert f"num_kv_heads = 1: the {heads} query heads share 1 key/value head" in message
    spin = window.inspector.spin_for("num_kv_heads")
    assert spin.value() == 1 and not spin.property("missing")
    assert not [d for d in window.controller.figures.by_node.get(attention, [])
                if d.severity == "error"]
    build(graph, device="meta")


def test_kv_heads_follow_the_reference_default():
    assert kv_heads_for(16) == 4 and kv_heads_for(12) == 3 and kv_heads_for(32) == 8
    assert kv_heads_for(2) == 1 and kv_heads_for(6) == 1 and kv_heads_for(1) == 1
