"""Property tests: random edits of a small model either leave a document that validates,
builds and computes logits of the right shape, or one that ``validate`` explains; an
impossible edit is refused with an OLMError and changes nothing. Nothing else may happen.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olm.core.errors import OLMError
from olm.graph import build, catalog, from_python, stats, validate
from olm.graph import commands as C

SOURCE = """
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat, Residual

vocab_size, embed_dim, num_heads, num_kv_heads, max_seq_len = 32, 16, 2, 1, 8
embedding = Embedding(vocab_size, embed_dim)
model = Block([
    embedding,
    Repeat(lambda: Block([
        Residual(Block([RMSNorm(embed_dim), GroupedQueryAttention(embed_dim, num_heads, num_kv_heads, max_seq_len)])),
        Residual(Block([RMSNorm(embed_dim), SwiGLUFFN(embed_dim, bias=False)])),
    ]), 1),
    RMSNorm(embed_dim),
    OutputHead(embed_dim, vocab_size, use_norm=False, tied_embedding=embedding),
])
"""
SEQ = 5


def _edit(data, graph) -> C.Command:
    ids = list(graph.walk())  # tree order: reproducible, unlike the random ids
    containers = [i for i in ids if graph.nodes[i].is_container]
    leaves = [i for i in ids if not graph.nodes[i].is_container and graph.nodes[i].type in catalog()]
    pick = lambda xs: data.draw(st.sampled_from(xs))  # noqa: E731
    kind = data.draw(st.sampled_from([
        "variable", "param", "param", "replace", "remove", "wrap", "unwrap", "add", "move",
        "wire", "unwire", "repeat",
    ]))
    if kind == "variable":
        return C.SetVariable(pick(sorted(graph.variables)), data.draw(st.integers(-1, 40)))
    if kind in ("param", "replace") and leaves:
        node = graph.nodes[pick(leaves)]
        spec = catalog().get(node.type)
        if kind == "replace":
            return C.ReplaceNode(node.id, pick([s.name for s in catalog().same_role(node.type)] or [node.type]))
        params = [p for p in spec.params if p.kind in ("int", "float", "bool", "choice")]
        if params:
            param = pick(params)
            value = {
                "int": st.integers(-1, 40), "float": st.floats(0.0, 1.5), "bool": st.booleans(),
                "choice": st.sampled_from(list(param.choices or [None])),
            }[param.kind]
            names = [k for k, v in graph.variables.items() if isinstance(v, int)]
            if param.kind == "int" and names and data.draw(st.booleans()):
                return C.SetParam(node.id, param.name, {"var": pick(names)})
            return C.SetParam(node.id, param.name, data.draw(value))
    if kind == "remove":
        return C.RemoveNode(pick(ids))
    if kind == "wrap":
        return C.WrapNodes([pick(ids)], pick(["Block", "Residual", "Repeat", "Parallel"]), count=data.draw(st.integers(1, 2)))
    if kind == "unwrap":
        return C.Unwrap(pick(containers))
    if kind == "add":
        return C.AddNode(pick(containers), C.new_component(graph, pick(sorted(catalog().components))),
                         index=data.draw(st.integers(0, 4)))
    if kind == "move":
        return C.MoveNode(pick(ids), pick(containers), index=data.draw(st.integers(0, 4)))
    if kind in ("wire", "unwire"):
        container = graph.nodes[pick(containers)]
        if len(container.children) >= 2:
            a, b = data.draw(st.permutations(container.children))[:2]
            if kind == "wire":
                return C.AddWire(container.id, a, b)
            if container.wires.has_edge(a, b):
                return C.RemoveWire(container.id, a, b)
    repeats = [i for i in containers if graph.nodes[i].type == "Repeat"]
    if repeats:
        return C.SetRepeatCount(pick(repeats), data.draw(st.integers(0, 3)))
    return C.SetVariable("embed_dim", 16)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_validate_or_explain(data):
    torch.manual_seed(0)
    graph = from_python(SOURCE)
    for _ in range(data.draw(st.integers(1, 6))):
        command = _edit(data, graph)
        before = graph.to_dict()
        try:
            command.do(graph)
        except OLMError:
            assert graph.to_dict() == before  # a refused edit changes nothing
    diagnostics = validate(graph, seq_len=SEQ)
    for d in diagnostics:
        assert d.node_id in graph.nodes and d.severity in ("error", "warning") and d.message
    stats(graph, seq_len=SEQ)
    if any(d.severity == "error" for d in diagnostics):
        with pytest.raises(OLMError):
            build(graph)
        return
    model = build(graph).eval()
    vocab = graph.variable_values()[0]["vocab_size"]
    with torch.no_grad():
        logits = model(torch.randint(0, vocab, (2, SEQ)))
    assert logits.shape == (2, SEQ, vocab)
