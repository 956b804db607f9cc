"""The guided lessons walked without Qt: each step's check, its "show me" edit, and the figures."""

from __future__ import annotations

import pytest

from olm.graph import from_source, validate
from olm.graph.commands import History, Macro
from olm.graph.lessons import BEYOND_LLAMA, LESSONS, MODERNISE_GPT2, lesson_figures
from olm.graph.to_module import build


def _walk(lesson):
    graph = from_source(lesson.start)
    history = History(graph)
    figures = [lesson_figures(graph)]
    for i, step in enumerate(lesson.steps):
        assert lesson.progress(graph) == i
        assert not step.done(graph), step.key
        commands = step.show(graph)
        assert commands, step.key
        history.do(Macro(step.title, commands))
        assert step.done(graph), step.key
        assert all(s.done(graph) for s in lesson.steps[: i + 1])  # later edits keep earlier ones
        errors = [d for d in validate(graph) if d.severity == "error"]
        assert not errors, (step.key, errors)
        figures.append(lesson_figures(graph))
    assert lesson.progress(graph) == len(lesson.steps)
    return graph, history, figures


def test_modernise_gpt2_walks_to_the_llama_recipe_and_moe():
    graph, history, figures = _walk(MODERNISE_GPT2)
    types = {n.type for n in graph.nodes.values()}
    assert "LayerNorm" not in types and "AbsolutePositionalEmbedding" not in types
    assert {"RMSNorm", "GroupedQueryAttention", "SwiGLUMoEFFN"} <= types
    params = [f["total_params"] for f in figures]
    assert params[1] < params[0]  # the position table is gone
    kv = [f["kv_cache_bytes_per_token"] for f in figures]
    assert kv[4] < kv[3]  # GQA shrinks the KV cache
    assert figures[-1]["total_params"] > figures[-2]["total_params"]  # experts add parameters ...
    assert figures[-1]["active_params"] < figures[-1]["total_params"]  # ... most of them idle per token
    while history.undo():
        pass
    assert MODERNISE_GPT2.progress(graph) == 0


def test_beyond_llama_reaches_latent_attention_and_fine_grained_experts():
    graph, _, figures = _walk(BEYOND_LLAMA)
    kv = [f["kv_cache_bytes_per_token"] for f in figures]
    assert kv[2] < kv[1]  # MLA caches a latent instead of per-head keys/values
    assert {"MultiHeadLatentAttention", "DeepSeekMoEFFN"} <= {n.type for n in graph.nodes.values()}


def test_the_checks_accept_the_users_own_way_of_making_an_edit():
    """Editing by hand in another order still counts: only the document is read."""
    graph = from_source("GPT2")
    history = History(graph)
    rms = MODERNISE_GPT2.steps[1]
    history.do(Macro("norms", rms.show(graph)))  # step 2 before step 1
    assert rms.done(graph) and MODERNISE_GPT2.progress(graph) == 0


@pytest.mark.parametrize("key", sorted(LESSONS))
def test_lesson_text_is_written_for_a_learner(key):
    lesson = LESSONS[key]
    for step in lesson.steps:
        assert step.instruction and step.explanation
        assert len(step.explanation.split(". ")) <= 3  # one or two sentences (and a note)


def test_finished_modernised_model_builds_on_meta():
    graph, _, _ = _walk(MODERNISE_GPT2)
    import torch

    with torch.device("meta"):
        model = build(graph)
    assert sum(p.numel() for p in model.parameters()) == lesson_figures(graph)["total_params"]
