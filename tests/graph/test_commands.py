"""Edit commands: each does, undoes exactly, emits events, and refuses impossible edits."""

from __future__ import annotations

import pytest
import torch
from graph_helpers import shapes

from olm.core.errors import ConfigError, OLMError
from olm.graph import build, from_module, validate
from olm.graph.commands import (
    UNSET,
    AddNode,
    AddWire,
    History,
    Macro,
    MoveNode,
    RemoveNode,
    RemoveWire,
    ReplaceNode,
    SetMerge,
    SetParam,
    SetRepeatCount,
    SetVariable,
    Unwrap,
    WrapNodes,
    new_component,
)
from olm.models import Llama3Model


@pytest.fixture
def graph(tiny):
    return from_module(tiny.model("llama3"))


def _find(graph, type_key, nth=0):
    return [i for i in graph.walk() if graph.nodes[i].type == type_key][nth]


def _layer(graph):
    repeat = _find(graph, "Repeat")
    return graph.nodes[repeat].children[0]


def _check_undo_redo(graph, command):
    before = graph.to_dict()
    history = History(graph)
    history.do(command)
    after = graph.to_dict()
    assert after != before
    history.undo()
    assert graph.to_dict() == before
    history.redo()
    assert graph.to_dict() == after
    history.undo()  # the next command starts from the same document


def test_every_command_undoes_exactly(graph):
    root = graph.root
    norm = _find(graph, "RMSNorm")
    attention = _find(graph, "GroupedQueryAttention")
    repeat = _find(graph, "Repeat")
    layer = _layer(graph)
    skip = graph.nodes[layer].children[0]
    commands = [
        lambda: AddNode(root, new_component(graph, "RMSNorm"), index=1),
        lambda: RemoveNode(norm),
        lambda: MoveNode(norm, root, 0),
        lambda: SetParam(attention, "dropout", 0.1),
        lambda: SetParam(attention, "num_kv_heads", UNSET),
        lambda: SetVariable("embed_dim", 48),
        lambda: SetVariable("extra", {"expr": "embed_dim * 2"}),
        lambda: ReplaceNode(norm, "LayerNorm"),
        lambda: WrapNodes([skip], "Repeat", count=3),
        lambda: Unwrap(skip),
        lambda: SetRepeatCount(repeat, 5),
        lambda: WrapNodes(graph.nodes[root].children[2:], "Parallel"),
        lambda: RemoveWire(root, *list(graph.nodes[root].wires.edges)[0]),
        lambda: Macro("two", [SetParam(attention, "dropout", 0.2), SetVariable("num_heads", 8)]),
    ]
    original = graph.to_dict()
    for make in commands:
        _check_undo_redo(graph, make())
    assert graph.to_dict() == original


def test_events_say_what_changed(graph):
    seen = []
    for name in ("node_added", "node_removed", "node_changed", "wiring_changed", "variables_changed", "changed"):
        getattr(graph.events, name).connect(lambda *args, name=name: seen.append((name, *args)))
    node = new_component(graph, "RMSNorm")
    command = AddNode(graph.root, node, index=1)
    command.do(graph)
    assert ("node_added", node.id, graph.root) in seen
    assert ("wiring_changed", graph.root) in seen
    assert seen[-1] == ("changed",)
    seen.clear()
    command.undo(graph)
    assert ("node_removed", node.id, graph.root) in seen
    seen.clear()
    SetVariable("embed_dim", 16).do(graph)
    assert seen == [("variables_changed", "embed_dim"), ("changed",)]


def test_new_component_fills_required_parameters_from_variables(graph):
    node = new_component(graph, "GroupedQueryAttention")
    assert node.params == {
        "embed_dim": {"var": "embed_dim"},
        "num_heads": {"var": "num_heads"},
        "num_kv_heads": {"var": "num_kv_heads"},
        "max_seq_len": {"var": "max_seq_len"},
    }


def test_impossible_edits_are_refused_and_leave_the_document_alone(graph):
    before = graph.to_dict()
    root = graph.nodes[graph.root]
    first, last = root.children[0], root.children[-1]
    with pytest.raises(OLMError, match="loop"):
        AddWire(graph.root, last, first).do(graph)
    skip = graph.nodes[_layer(graph)].children[0]
    with pytest.raises(OLMError, match="exactly one part"):
        AddNode(skip, new_component(graph, "RMSNorm")).do(graph)
    with pytest.raises(OLMError, match="inside itself"):
        MoveNode(_layer(graph), skip).do(graph)
    with pytest.raises(ConfigError, match="out of range"):
        SetParam(_find(graph, "RMSNorm"), "d_model", 10**9).do(graph)
    with pytest.raises(ConfigError, match="out of range"):
        SetVariable("embed_dim", 10**9).do(graph)
    with pytest.raises(OLMError, match="still used"):
        SetVariable("embed_dim", UNSET).do(graph)
    with pytest.raises(OLMError, match="no parameter"):
        SetParam(_find(graph, "RMSNorm"), "width", 3).do(graph)
    with pytest.raises(OLMError, match="not a model variable"):
        SetParam(_find(graph, "RMSNorm"), "d_model", {"var": "nope"}).do(graph)
    with pytest.raises(OLMError, match="outermost"):
        RemoveNode(graph.root).do(graph)
    with pytest.raises(ConfigError, match="merge"):
        SetMerge(_find(graph, "Repeat"), "product")
    with pytest.raises(OLMError, match="cannot be a variable name"):
        SetVariable("class", 3).do(graph)
    with pytest.raises(OLMError, match="Macro|loop"):
        Macro("half", [SetVariable("num_heads", 2), AddWire(graph.root, last, first)]).do(graph)
    assert graph.to_dict() == before


def test_removing_a_tied_embedding_clears_the_tie(tiny):
    graph = from_module(tiny.model("gpt2"))
    embedding = _find(graph, "Embedding")
    head = _find(graph, "OutputHead")
    command = RemoveNode(embedding)
    command.do(graph)
    assert "tied_embedding" not in graph.nodes[head].params
    command.undo(graph)
    assert graph.nodes[head].params["tied_embedding"] == {"ref": embedding}


def test_replace_keeps_place_wires_and_shared_parameters(tiny):
    graph = from_module(tiny.model("gpt2"))
    norm = _find(graph, "LayerNorm")
    attention = _find(graph, "FlashAttention")
    parent = graph.parent_of(attention)
    edges = set(graph.nodes[parent].wires.edges)
    ReplaceNode(norm, "RMSNorm").do(graph)
    assert graph.nodes[norm].params == {"d_model": {"var": "embed_dim"}, "eps": 1e-5}
    graph.variables["num_kv_heads"] = 2
    ReplaceNode(attention, "GroupedQueryAttention").do(graph)
    params = graph.nodes[attention].params
    assert params["embed_dim"] == {"var": "embed_dim"} and params["num_kv_heads"] == {"var": "num_kv_heads"}
    assert set(graph.nodes[parent].wires.edges) == edges


def test_gpt2_becomes_llama3_by_swaps(tiny):
    """The Studio's first hour, as commands: GPT-2 → Llama 3, then all the way back."""
    graph = from_module(tiny.model("gpt2"))
    original = graph.to_dict()
    history = History(graph)
    history.do(SetVariable("num_kv_heads", 2))
    history.do(RemoveNode(_find(graph, "AbsolutePositionalEmbedding")))
    for norm in [i for i in graph.walk() if graph.nodes[i].type == "LayerNorm"]:
        history.do(ReplaceNode(norm, "RMSNorm"))
    attention = _find(graph, "FlashAttention")
    history.do(ReplaceNode(attention, "GroupedQueryAttention"))
    history.do(SetParam(attention, "use_bias", False))
    ffn = _find(graph, "ClassicFFN")
    history.do(ReplaceNode(ffn, "SwiGLUFFN"))
    history.do(SetParam(ffn, "hidden_dim", tiny.hidden))
    history.do(SetParam(ffn, "bias", False))
    assert [d for d in validate(graph) if d.severity == "error"] == []
    built = build(graph)
    reference = Llama3Model(tiny.vocab, 32, tiny.hidden, 2, 4, 2, 32, tie_weights=True)
    assert shapes(built) == shapes(reference)
    assert built(torch.randint(0, tiny.vocab, (1, 5))).shape == (1, 5, tiny.vocab)
    while history.undo():
        pass
    assert graph.to_dict() == original
