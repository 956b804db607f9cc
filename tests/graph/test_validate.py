"""Every diagnostic the issue lists, each on a small document read from Python text."""

from __future__ import annotations

import pytest
import torch
from torch.overrides import TorchFunctionMode

from olm.core.errors import OLMError
from olm.graph import Node, build, from_python, validate

HEADER = """
from olm.nn.attention import FlashAttention, GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import AbsolutePositionalEmbedding, Embedding
from olm.nn.feedforward import Linear, SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat, Residual

vocab_size, embed_dim, num_heads, num_kv_heads, max_seq_len = 64, 32, 4, 2, 16
"""

ATTENTION = "GroupedQueryAttention(embed_dim, num_heads, num_kv_heads, max_seq_len)"


def model(first: str = "Embedding(vocab_size, embed_dim),", attention: str = ATTENTION,
          last: str = "OutputHead(embed_dim, vocab_size, use_norm=False),", extra: str = "") -> str:
    return HEADER + extra + f"""
model = Block([
    {first}
    Repeat(lambda: Block([
        Residual(Block([RMSNorm(embed_dim), {attention}])),
        Residual(Block([RMSNorm(embed_dim), SwiGLUFFN(embed_dim, bias=False)])),
    ]), 2),
    RMSNorm(embed_dim),
    {last}
])
"""


def _node_of_type(graph, type_key):
    return next(i for i in graph.walk() if graph.nodes[i].type == type_key)


def _codes(graph):
    return {(d.code, d.severity) for d in validate(graph)}


def test_a_healthy_model_has_no_diagnostics():
    assert validate(from_python(model())) == []


def test_every_diagnostic_names_an_existing_node_and_reads_as_a_sentence():
    graph = from_python(model(first="Embedding(vocab_size, 48),", last="OutputHead(embed_dim, 50),"))
    diagnostics = validate(graph)
    assert diagnostics
    for d in diagnostics:
        assert d.node_id in graph.nodes
        assert d.severity in ("error", "warning")
        assert d.message[0].isupper() and d.message.endswith(".")


def test_dimension_mismatch_between_neighbours():
    graph = from_python(model(first="Embedding(vocab_size, 48),"))
    diagnostics = [d for d in validate(graph) if d.code == "width"]
    assert diagnostics
    first = diagnostics[0]
    assert graph.nodes[first.node_id].type == "RMSNorm"
    assert "48" in first.message and "32" in first.message


def test_embed_dim_not_divisible_by_num_heads():
    graph = from_python(model().replace("num_heads, num_kv_heads, max_seq_len = 64, 32, 4, 2", "num_heads, num_kv_heads, max_seq_len = 64, 30, 4, 2"))
    errors = [d for d in validate(graph) if d.code == "config"]
    assert errors and graph.nodes[errors[0].node_id].type == "GroupedQueryAttention"
    assert "divisible" in errors[0].message


def test_num_kv_heads_must_divide_num_heads():
    graph = from_python(model().replace("4, 2, 16", "4, 3, 16"))
    errors = [d for d in validate(graph) if d.code == "config"]
    assert errors and "num_kv_heads" in errors[0].message


def test_vocabulary_mismatch_between_embedding_and_head():
    graph = from_python(model(last="OutputHead(embed_dim, 50, use_norm=False),"))
    errors = [d for d in validate(graph) if d.code == "vocab"]
    assert len(errors) == 1 and graph.nodes[errors[0].node_id].type == "OutputHead"
    assert "64" in errors[0].message and "50" in errors[0].message


def test_missing_embedding_and_missing_head():
    graph = from_python(model(first="", last=""))
    codes = _codes(graph)
    assert ("no-embedding", "error") in codes and ("no-head", "error") in codes


def test_wires_that_form_a_cycle():
    graph = from_python(model())
    root = graph.nodes[graph.root]
    first, last = root.children[0], root.children[-1]
    root.wires.add_edge(last, first)
    errors = [d for d in validate(graph) if d.code == "cycle"]
    assert errors and errors[0].node_id == graph.root
    assert "loop" in errors[0].message


def test_unwired_and_dangling_nodes():
    graph = from_python(model())
    root = graph.nodes[graph.root]
    loose = Node("RMSNorm", {"d_model": {"var": "embed_dim"}})
    graph.nodes[loose.id] = loose
    root.children.append(loose.id)
    root.wires.add_node(loose.id)
    assert ("unwired", "error") in _codes(graph)
    head = root.children[-2]
    root.wires.add_edge(head, loose.id)
    root.wires.remove_edge(root.children[-3], head)
    codes = _codes(graph)
    assert ("dangling", "error") in codes


def test_empty_container():
    graph = from_python(HEADER + "model = Block([Embedding(vocab_size, embed_dim), Block([]), OutputHead(embed_dim, vocab_size)])")
    errors = [d for d in validate(graph) if d.code == "empty"]
    assert len(errors) == 1 and graph.nodes[errors[0].node_id].type == "Block"


def test_two_position_encodings_is_a_warning():
    graph = from_python(model(first="Embedding(vocab_size, embed_dim), AbsolutePositionalEmbedding(max_seq_len, embed_dim),"))
    diagnostics = validate(graph)
    assert [(d.code, d.severity) for d in diagnostics] == [("positions", "warning")]
    assert graph.nodes[diagnostics[0].node_id].type == "AbsolutePositionalEmbedding"
    build(graph)  # a warning does not stop the build


def test_sequence_longer_than_learned_positions():
    source = model(
        first="Embedding(vocab_size, embed_dim), AbsolutePositionalEmbedding(8, embed_dim),",
        attention="FlashAttention(embed_dim, num_heads, causal=True)",
    )
    graph = from_python(source)
    errors = [d for d in validate(graph) if d.code == "seq-len"]
    assert errors and "16" in errors[0].message and "8" in errors[0].message
    assert not [d for d in validate(graph, seq_len=8) if d.code == "seq-len"]


def test_parts_before_the_embedding_or_after_the_head():
    graph = from_python(model(first="RMSNorm(embed_dim), Embedding(vocab_size, embed_dim),"))
    assert any("token ids" in d.message for d in validate(graph))
    graph = from_python(model(last="OutputHead(embed_dim, vocab_size, use_norm=False), RMSNorm(embed_dim),"))
    assert any("after the output head" in d.message for d in validate(graph))


def test_residual_whose_block_changes_the_width():
    graph = from_python(model(attention="Linear(embed_dim, 16)"))
    errors = [d for d in validate(graph) if d.code == "width"]
    assert errors and graph.nodes[errors[0].node_id].type == "Residual"


def test_unknown_types_parameters_and_variables():
    graph = from_python(model())
    norm = graph.nodes[_node_of_type(graph, "RMSNorm")]
    norm.params["epsilon"] = 1e-6
    norm.params["d_model"] = {"var": "width"}
    codes = _codes(graph)
    assert ("param", "error") in codes and ("variable", "error") in codes
    norm.type = "RMSNorn"
    messages = [d.message for d in validate(graph) if d.code == "type"]
    assert messages and "RMSNorm" in messages[0]  # suggests the close name


class _LargestTensor(TorchFunctionMode):
    """Records the most elements any tensor made under it had."""

    def __init__(self) -> None:
        super().__init__()
        self.numel = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor):
            self.numel = max(self.numel, out.numel())
        return out


def test_absurd_sizes_are_refused_before_anything_is_built():
    graph = from_python(model().replace("64, 32, 4, 2, 16", "64, 10**9, 4, 2, 16"))
    errors = [d for d in validate(graph) if d.code == "range"]
    assert errors and "65,536" in errors[0].message
    with _LargestTensor() as largest, pytest.raises(OLMError, match="out of range"):
        build(graph)
    assert largest.numel < 64 * 64 * 4  # refused before the 10**9-wide weights were made
