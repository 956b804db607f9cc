"""Copy/paste fragments are document logic in olm.graph, and refuse malformed text."""

import json

import pytest

from olm.core.errors import ConfigError
from olm.graph.commands import AddNode, History, RenameModel
from olm.graph.fragments import copy_fragment, fragment_nodes
from olm.graph.source import from_source


def _of_type(graph, type_key):
    return [i for i in graph.walk() if graph.nodes[i].type == type_key]


def test_a_copied_block_pastes_as_an_independent_copy():
    graph = from_source("GPT2")
    residual = _of_type(graph, "Residual")[0]
    text = copy_fragment(graph, [residual])
    [(root, inner)] = fragment_nodes(text)
    assert root.type == "Residual" and root.id != residual
    held = {n.id for n in inner}
    assert not held & set(graph.nodes)  # every id is fresh
    assert sorted(n.type for n in inner) == sorted(
        graph.nodes[i].type for i in graph.subtree(residual) if i != residual)
    # Children and wires point at the fresh ids.
    for node in [root, *inner]:
        assert set(node.children) <= held
        if node.is_container:
            assert set(node.wires.nodes) == set(node.children)
    before = len(graph.nodes)
    AddNode(graph.root, root, None, inner).do(graph)
    assert len(graph.nodes) == before + 1 + len(inner)


def test_references_outside_the_fragment_are_dropped():
    graph = from_source("GPT2")
    head = _of_type(graph, "OutputHead")[0]
    [(root, _)] = fragment_nodes(copy_fragment(graph, [head]))
    assert "tied_embedding" not in root.params
    assert root.params["use_norm"] is False


@pytest.mark.parametrize("text", [
    "not json", "[]", json.dumps({"roots": ["a"], "nodes": {}}),
    json.dumps({"roots": "a", "nodes": {"a": {"type": "Block"}}}),
    json.dumps({"roots": ["a"], "nodes": {"a": {"params": {}}}}),
    json.dumps({"roots": ["a"], "nodes": {"a": {"type": "Block", "children": ["zz"]}}}),
    json.dumps({"roots": ["a"], "nodes": {"a": {"type": "Block", "children": ["a"]}}}),
    json.dumps({"roots": ["a"], "nodes": {"a": {"type": "Block", "wires": [["a", "b"]]}}}),
])
def test_malformed_clipboard_text_is_a_config_error(text):
    with pytest.raises(ConfigError):
        fragment_nodes(text)


def test_rename_model_is_an_undoable_library_command():
    graph = from_source("GPT2")
    seen = []
    graph.events.changed.connect(lambda *a: seen.append(graph.name))
    history = History(graph)
    history.do(RenameModel("my model"))
    assert graph.name == "my model"
    history.undo()
    assert graph.name == "GPT2"
    history.redo()
    assert graph.name == "my model"
    assert seen == ["my model", "GPT2", "my model"]
