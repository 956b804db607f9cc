"""Tiny models of every family, with real weights: the rebuilt and the printed-then-run
models compute exactly the same logits as the original once given its weights."""

from __future__ import annotations

import torch
from graph_helpers import shapes

from olm.graph import build, from_module, from_python, to_python


def _same_logits(original, rebuilt, tiny):
    rebuilt.load_state_dict(original.state_dict())
    original.eval()
    rebuilt.eval()
    ids = torch.randint(0, tiny.vocab, (2, 7))
    with torch.no_grad():
        expected = original(ids)
        got = rebuilt(ids)
    assert got.shape == (2, 7, tiny.vocab)
    torch.testing.assert_close(got, expected, rtol=0, atol=0)


def test_build_reproduces_the_model(tiny_family, tiny):
    model = tiny.model(tiny_family)
    graph = from_module(model)
    rebuilt = build(graph)
    assert shapes(rebuilt) == shapes(model)
    _same_logits(model, rebuilt, tiny)


def test_printed_python_runs_and_matches(tiny_family, tiny):
    model = tiny.model(tiny_family)
    graph = from_module(model)
    source = to_python(graph)
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, f"{tiny_family}.py", "exec"), namespace)
    _same_logits(model, namespace["model"], tiny)
    assert from_python(source) == graph


def test_tied_head_stays_tied_after_build(tiny):
    model = tiny.model("gpt2")
    rebuilt = build(from_module(model))
    head, embedding = rebuilt.blocks[-1], rebuilt.blocks[0]
    assert head.weight is embedding.weight
    counted = {id(p) for p in rebuilt.parameters()}
    assert len(counted) == len(list(rebuilt.parameters()))


def test_repeat_copies_get_their_own_weights(tiny):
    rebuilt = build(from_module(tiny.model("llama3")))
    stack = rebuilt.blocks[1].stack
    assert len(stack) == 2
    first, second = (dict(layer.named_parameters()) for layer in stack)
    assert all(first[k] is not second[k] for k in first)
    assert not torch.equal(*(layer.blocks[0].block.blocks[1].q_proj.weight for layer in stack))
