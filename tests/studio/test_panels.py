"""The side panels: model variables, inspector bindings, summary, owned components."""

import torch
from PySide6.QtWidgets import QCheckBox, QComboBox

from olm.graph.to_module import build


def test_editing_a_variable_updates_every_bound_node(window, h):
    graph = window.controller.graph
    panel = window.variables
    row = panel.row_of("embed_dim")
    panel.table.item(row, 1).setText("32")
    assert graph.variables["embed_dim"] == 32
    attn = h.find(graph, "FlashAttention")
    assert window.canvas.scene.primary(attn).look.values.startswith("d 32")
    expected = sum(p.numel() for p in build(graph, device="meta").parameters())
    assert window.controller.figures.counts[graph.root] == expected


def test_variable_expressions_and_refusals(window, h):
    graph = window.controller.graph
    panel = window.variables
    panel.new_name.setText("ffn_dim")
    panel.new_value.setText("3 * embed_dim")
    panel._add()
    assert graph.variables["ffn_dim"] == {"expr": "3 * embed_dim"}
    result = panel.table.item(panel.row_of("ffn_dim"), 2).text()
    assert result == f"{3 * 64}"
    messages = []
    window.canvas.message.connect(messages.append)
    panel.table.setCurrentCell(panel.row_of("embed_dim"), 0)
    panel._delete()  # still used by every layer: refused, with the reason
    assert "embed_dim" in graph.variables
    assert messages and "still used" in messages[-1]


def test_inspector_binds_a_parameter_to_a_variable(window, h):
    graph = window.controller.graph
    ffn = h.find(graph, "ClassicFFN")
    window.canvas.edits.set_variable("wide", 512)
    window.canvas.scene.select_ids([ffn])
    row = window.inspector.rows["hidden_dim"]
    window.inspector._fill_bind_menu(row.spec, row.bind.menu())
    action = next(a for a in row.bind.menu().actions() if a.text().startswith("Bind to wide"))
    action.trigger()
    assert graph.nodes[ffn].params["hidden_dim"] == {"var": "wide"}
    assert row.bind.text() == "= wide"
    window.inspector._fill_bind_menu(row.spec, row.bind.menu())
    unbind = next(a for a in row.bind.menu().actions() if a.text().startswith("Unbind"))
    unbind.trigger()
    assert graph.nodes[ffn].params["hidden_dim"] == 512


def test_inspector_editors_fit_the_parameter_kinds(window, h):
    graph = window.controller.graph
    window.canvas.edits.replace(h.find(graph, "ClassicFFN"), "SwiGLUFFN")
    ffn = h.find(graph, "SwiGLUFFN")
    window.canvas.scene.select_ids([ffn])
    rows = window.inspector.rows
    assert isinstance(rows["bias"].editor, QCheckBox)
    window.canvas.scene.select_ids([h.find(graph, "FlashAttention")])
    assert isinstance(window.inspector.rows["causal"].editor, QCheckBox)
    norm = h.find(graph, "LayerNorm")
    window.canvas.scene.select_ids([norm])
    eps = window.inspector.rows["eps"].editor
    eps.setText("1e-6")
    eps.editingFinished.emit()
    assert graph.nodes[norm].params["eps"] == 1e-6


def test_owned_component_is_edited_through_its_owner(window, h):
    from olm.graph.describe_module import from_module
    from olm.nn.blocks import OutputHead
    from olm.nn.embeddings import Embedding
    from olm.nn.norms import LayerNorm
    from olm.nn.structure import Block

    with torch.device("meta"):
        model = Block([Embedding(64, 16), OutputHead(16, 64, norm=LayerNorm(16))])
    window.controller.set_document(from_module(model, name="head with its own norm"))
    graph = window.controller.graph
    head = h.find(graph, "OutputHead")
    window.canvas.scene.select_ids([head])
    assert isinstance(window.inspector.rows.get("tied_embedding", None), type(None))
    owned = graph.nodes[head].params["norm"]["module"]
    from PySide6.QtWidgets import QPushButton

    buttons = window.inspector.form_host.findChildren(QPushButton)
    (norm_button,) = [b for b in buttons if b.text().startswith("LayerNorm")]
    norm_button.click()
    assert window.controller.selection == [owned]
    assert window.inspector.title.text().endswith("LayerNorm")
    ties = window.inspector.form_host.findChildren(QComboBox)
    assert ties == [] or all(c.count() >= 1 for c in ties)


def test_summary_tab_shows_the_torchinfo_table(window):
    window.show_tab("Summary")
    text = window.summary.text.toPlainText()
    graph = window.controller.graph
    with torch.device("meta"):
        total = sum(p.numel() for p in build(graph).parameters())
    assert f"Total params: {total:,}" in text
    assert "Repeat" in text and "[1, 16, 128]" in text  # logits for 16 tokens, vocab 128
    window.canvas.edits.set_variable("vocab_size", 100)
    window.show_tab("Diagnostics")
    window.show_tab("Summary")
    assert "[1, 16, 100]" in window.summary.text.toPlainText()


def test_inspector_on_containers_shows_only_their_own_settings(window, h):
    graph = window.controller.graph
    repeat = h.find(graph, "Repeat")
    window.canvas.scene.select_ids([repeat])
    assert list(window.inspector.rows) == ["num_repeat"]
    assert window.inspector.rows["num_repeat"].bind.text() == "= num_layers"
    residual = h.find(graph, "Residual")
    window.canvas.scene.select_ids([residual])
    assert window.inspector.rows == {}
    window.canvas.scene.select_ids([])
    assert window.inspector.title.text() == graph.name  # the model overview
