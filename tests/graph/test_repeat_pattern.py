"""Heterogeneous stacks in the document: a Repeat with layer variants and a pattern."""

from __future__ import annotations

import pytest
import torch

from olm.core.errors import FileFormatError, OLMError
from olm.graph import build, from_module, from_python, stats, to_python, validate
from olm.graph.commands import AddWire, SetParam
from olm.models import Gemma3Model
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.structure import Block, Repeat

V, D = 64, 32


def tiny_gemma3(num_layers: int = 8) -> Gemma3Model:
    return Gemma3Model(V, D, 48, num_layers, 4, 2, 8, 64, sliding_window=4)


def stack_node(graph):
    (node,) = [n for n in graph.nodes.values() if n.type == "Repeat"]
    return node


def test_from_module_reads_one_child_per_variant_and_the_pattern():
    graph = from_module(tiny_gemma3())
    node = stack_node(graph)
    assert len(node.children) == 2
    assert node.params["pattern"] == [0, 0, 0, 0, 0, 1]
    assert not node.wires.edges  # variants sit side by side
    windows = []
    for child in node.children:
        attn = [graph.nodes[i] for i in graph.subtree(child) if graph.nodes[i].type == "GroupedQueryAttention"]
        windows.append(attn[0].params.get("sliding_window"))
    assert windows == [4, None]
    assert validate(graph) == []


def test_built_document_computes_the_same_function():
    model = tiny_gemma3().eval()
    rebuilt = build(from_module(model)).eval()
    assert isinstance(rebuilt.blocks[1], Repeat)
    assert rebuilt.blocks[1].layer_variants == [0, 0, 0, 0, 0, 1, 0, 0]
    rebuilt.load_state_dict(model.state_dict())
    ids = torch.randint(0, V, (2, 12))
    torch.testing.assert_close(rebuilt(ids), model(ids))


def test_stats_count_each_variant_by_its_layers():
    model = tiny_gemma3(num_layers=9)
    figures = stats(from_module(model))
    assert figures.total_params == sum(p.numel() for p in model.parameters())
    assert figures.complete
    # variants of different sizes: 7 layers of pattern [0, 0, 1] are 5 small + 2 big
    small, big = (lambda: SwiGLUFFN(8, hidden_dim=16)), (lambda: SwiGLUFFN(8, hidden_dim=40))
    stack = Repeat([small, big], 7, pattern=[0, 0, 1])
    n_small = sum(p.numel() for p in small().parameters())
    n_big = sum(p.numel() for p in big().parameters())
    graph = from_module(Block([Embedding(V, 8), stack]))
    assert stats(graph).total_params == V * 8 + 5 * n_small + 2 * n_big
    assert sum(p.numel() for p in stack.parameters()) == 5 * n_small + 2 * n_big
    # a global (full-attention) layer caches the same KV per token as a local one here
    kv = stats(from_module(tiny_gemma3(num_layers=6))).kv_cache_bytes_per_token
    assert kv == 6 * 2 * 2 * (2 * 8)  # layers x (k, v) x bf16 bytes x kv width


def test_printed_python_is_short_and_parses_back():
    graph = from_module(tiny_gemma3(num_layers=26))
    source = to_python(graph)
    assert "pattern=[0] * 5 + [1]" in source
    assert source.count("GroupedQueryAttention(") == 2  # two variants, not 26 layers
    assert "Repeat(\n" in source and "lambda: Block([" in source
    assert from_python(source) == graph
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, "gemma3.py", "exec"), namespace)  # our own printed code
    built = namespace["model"]
    assert [layer.blocks[0].block.blocks[1].sliding_window for layer in built.blocks[1].stack][:7] == [
        4, 4, 4, 4, 4, None, 4,
    ]


@pytest.mark.parametrize(
    "pattern_text,expected",
    [("[0, 1]", [0, 1]), ("[0] * 3 + [1]", [0, 0, 0, 1]), ("2 * [1] + [0]", [1, 1, 0])],
)
def test_pattern_forms_are_read(pattern_text, expected):
    source = f"""
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat
model = Block([Repeat([lambda: RMSNorm(8), lambda: RMSNorm(8, eps=1e-3)], 6, pattern={pattern_text})])
"""
    graph = from_python(source)
    assert stack_node(graph).params["pattern"] == expected


@pytest.mark.parametrize(
    "pattern_text,message",
    [("[0, x]", "variant numbers"), ("[0] * 1_000_000_000", "at most"), ("[0] * 10**9", "whole number"), ("[0] * n", "whole number"),
     ("list(range(3))", "list of variant numbers")],
)
def test_bad_pattern_source_is_refused_with_the_line(pattern_text, message):
    source = f"""from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat
n = 3
model = Block([Repeat([lambda: RMSNorm(8), lambda: RMSNorm(8)], 6, pattern={pattern_text})])
"""
    with pytest.raises(FileFormatError, match=f"line 5: .*{message}"):
        from_python(source)


def test_validate_names_a_pattern_that_does_not_fit():
    graph = from_module(tiny_gemma3())
    node = stack_node(graph)
    node.params["pattern"] = [0, 0, 2]
    problems = [d for d in validate(graph) if d.code == "pattern"]
    assert problems and "variant index" in problems[0].message
    node.params["pattern"] = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # longer than the 8 layers
    problems = [d for d in validate(graph) if d.code == "pattern"]
    assert problems and "variant 1 is never used" in problems[0].message
    with pytest.raises(OLMError, match="never used"):
        build(graph)


def test_set_pattern_is_an_undoable_edit():
    graph = from_module(tiny_gemma3())
    node = stack_node(graph)
    command = SetParam(node.id, "pattern", [0, 1])
    command.do(graph)
    assert stack_node(graph).params["pattern"] == [0, 1]
    assert stats(graph).total_params == sum(p.numel() for p in tiny_gemma3().parameters())
    command.undo(graph)
    assert stack_node(graph).params["pattern"] == [0, 0, 0, 0, 0, 1]


def test_variants_cannot_be_wired_to_each_other():
    graph = from_module(tiny_gemma3())
    node = stack_node(graph)
    with pytest.raises(OLMError, match="layer variants"):
        AddWire(node.id, node.children[0], node.children[1]).do(graph)
    node.wires.add_edge(node.children[0], node.children[1])
    assert any(d.code == "wire" for d in validate(graph))


def test_a_variant_giving_back_something_else_is_an_error():
    source = """from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
from olm.nn.structure.combinators import Repeat
model = Block([Embedding(64, 8), Repeat([lambda: RMSNorm(8), lambda: OutputHead(8, 64)], 4)])
"""
    graph = from_python(source)
    messages = [d.message for d in validate(graph) if d.severity == "error"]
    assert any("variant 1 gives" in m for m in messages), messages


def test_add_variant_makes_a_uniform_stack_alternate_and_undo_restores_it():
    from olm.graph.commands import AddVariant, History
    from olm.models import Llama3Model

    model = Llama3Model(V, D, 48, 4, 4, 2, 64)
    graph = from_module(model)
    before = graph.copy()
    history = History(graph)
    command = AddVariant(stack_node(graph).id)
    history.do(command)
    node = stack_node(graph)
    assert len(node.children) == 2 and node.params["pattern"] == [0, 1]
    assert validate(graph) == []
    # the copy is independent: editing it leaves the first variant alone
    new_attn = next(i for i in graph.walk(command.variant_id)
                    if graph.nodes[i].type == "GroupedQueryAttention")
    history.do(SetParam(new_attn, "sliding_window", 2))
    built = build(graph)
    windows = [layer.blocks[0].block.blocks[1].sliding_window for layer in built.blocks[1].stack]
    assert windows == [None, 2, None, 2]
    assert stats(graph).total_params == sum(p.numel() for p in model.parameters())
    history.undo()
    history.undo()
    assert graph == before
    assert "pattern" not in stack_node(graph).params


def test_add_then_remove_variant_round_trip():
    from olm.graph.commands import AddVariant, History, RemoveVariant

    graph = from_module(tiny_gemma3())
    before = graph.copy()
    history = History(graph)
    node = stack_node(graph)
    add = AddVariant(node.id, node.children[1], pattern=[0, 0, 1, 0, 0, 2])
    history.do(add)
    assert stack_node(graph).params["pattern"] == [0, 0, 1, 0, 0, 2]
    assert len(stack_node(graph).children) == 3
    history.do(RemoveVariant(node.id, node.children[1]))  # the old global variant
    node = stack_node(graph)
    assert len(node.children) == 2 and node.params["pattern"] == [0, 0, 0, 0, 0, 1]
    assert validate(graph) == []
    history.undo()
    history.undo()
    assert graph == before
    with pytest.raises(OLMError, match="never used"):
        AddVariant(node.id, pattern=[0, 1]).do(graph)  # the third variant would be unused
    with pytest.raises(OLMError, match="at least one"):
        single = from_module(Block([Embedding(V, 8), Repeat(lambda: Block([]), 2)]))
        RemoveVariant(stack_node(single).id, stack_node(single).children[0]).do(single)


def test_edits_that_would_leave_a_variant_unused_are_refused():
    from olm.graph.commands import SetRepeatCount

    graph = from_module(tiny_gemma3())
    node = stack_node(graph)
    with pytest.raises(OLMError, match="variant index"):
        SetParam(node.id, "pattern", [0, 2]).do(graph)
    with pytest.raises(OLMError, match="variant 1 is never used"):
        SetRepeatCount(node.id, 5).do(graph)  # five local layers: the global one is gone
    assert stack_node(graph).params == {"num_repeat": {"var": "num_layers"}, "pattern": [0, 0, 0, 0, 0, 1]}
