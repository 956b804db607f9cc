"""The first-hour story: swap GPT-2's parts on the canvas until it is Llama 3.

Only the swaps the issue names are made, through the real context menus and inspector:
LayerNorm → RMSNorm, attention → GroupedQueryAttention, ClassicFFN → SwiGLUFFN, delete the
positional embedding, biases off. The result must build the same structure (state-dict
keys and shapes) as ``olm.models.Llama3Model`` with the same settings.

The GPT-2 is the real ``olm.models.GPT2Model`` (at tiny size), whose layout (embedding,
positions, layers, final norm, head) is the one Llama 3 uses.
"""

import torch
from PySide6.QtWidgets import QCheckBox

from olm.graph.to_module import build
from olm.models import Llama3Model

V, D, L, H, KV, MAX = 128, 64, 2, 4, 2, 32


def shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def _replace(window, node_id, new_type):
    menu = window.canvas.context_menu(node_id)
    sub = next(a.menu() for a in menu.actions() if a.text() == "Replace with…")
    next(a for a in sub.actions() if a.text() == new_type).trigger()


def _ids(graph, type_key):
    return [i for i in graph.walk() if graph.nodes[i].type == type_key]


def gpt2_document():
    """The real ``olm.models.GPT2Model`` at tiny size, opened as a document (no weights)."""
    from olm.graph.describe_module import from_module
    from olm.models import GPT2Model

    with torch.device("meta"):
        model = GPT2Model(vocab_size=V, embed_dim=D, num_layers=L, num_heads=H, max_seq_len=MAX)
    return from_module(model, name="GPT2")


def test_gpt2_becomes_llama3_by_swapping_parts(window, qtbot):
    window.controller.set_document(gpt2_document())
    graph = window.controller.graph
    for norm in _ids(graph, "LayerNorm"):
        _replace(window, norm, "RMSNorm")
    (attn,) = _ids(graph, "FlashAttention")
    _replace(window, attn, "GroupedQueryAttention")
    (ffn,) = _ids(graph, "ClassicFFN")
    _replace(window, ffn, "SwiGLUFFN")
    (pos,) = _ids(graph, "AbsolutePositionalEmbedding")
    window.canvas.scene.select_ids([pos])
    window.actions_by_key["delete"].trigger()

    # GQA needs a key/value head count: the model panel adds the variable, the
    # inspector binds it (as a user would).
    window.variables.new_name.setText("num_kv_heads")
    window.variables.new_value.setText(str(KV))
    window.variables._add()
    window.canvas.scene.select_ids([attn])
    menu = window.inspector.rows["num_kv_heads"].bind.menu()
    window.inspector._fill_bind_menu(window.inspector.rows["num_kv_heads"].spec, menu)
    next(a for a in menu.actions() if a.text().startswith("Bind to num_kv_heads")).trigger()
    # biases off: the SwiGLU's checkbox (GQA has none by default)
    window.canvas.scene.select_ids([ffn])
    box = window.inspector.rows["bias"].editor
    assert isinstance(box, QCheckBox) and box.isChecked()
    box.setChecked(False)

    assert window.controller.figures.errors == 0, [d.message for d in
                                                   window.controller.figures.diagnostics]
    mine = build(graph, device="meta")
    with torch.device("meta"):
        reference = Llama3Model(vocab_size=V, embed_dim=D, intermediate_size=4 * D,
                                num_layers=L, num_heads=H, num_kv_heads=KV, max_seq_len=MAX)
    assert shapes(mine) == shapes(reference)
