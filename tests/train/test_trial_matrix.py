"""Composition matrix: every preset and every lesson step's model × trial scale builds and
trains a step, through the same path as ``olm train SOURCE --trial`` (``plan_run``: the
trial copy, then the pre-flight of that exact copy, then the run).

The lesson's models are made the way a user asking "show me" makes them: each step's
commands applied in order to the lesson's start. Their sizes written as numbers (the GQA
step's ``num_kv_heads: 3``, the MoE and latent-attention ranks) are what trial scale
must rescale (issue 24 item 1).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from olm.graph import from_source, save
from olm.graph.lessons import LESSONS
from olm.models import PRESETS
from olm.train.config import TrainConfig
from olm.train.events import EndEvent, StepEvent
from olm.train.preflight import plan_run, preflight
from olm.train.run import TrainRun
from olm.train.trial import trial_config

_LESSON_STEPS = [(lesson.key, index) for lesson in LESSONS.values()
                 for index in range(len(lesson.steps))]


def lesson_model(key: str, upto: int):
    """The lesson's start with the "show me" commands of steps 0..``upto`` applied."""
    lesson = LESSONS[key]
    graph = from_source(lesson.start)
    for step in lesson.steps[: upto + 1]:
        for command in step.show(graph):
            command.do(graph)
        assert step.done(graph), f"{key} step {step.key}: its own commands do not finish it"
    return graph


def _config(source: str, out) -> TrainConfig:
    return TrainConfig(source=source, trial=True, budget="0.1s", steps=1, batch_size=1,
                       seq_len=16, eval_every=0, eval_batches=1, sample_every=0,
                       checkpoint_every=0, max_corpus_bytes=20_000, device="cpu",
                       out=str(out))


def _trains_one_step(source: str, tmp_path) -> None:
    """``plan_run``'s path (trial copy, then the pre-flight of that copy, then the run),
    sized by FLOPs only: the measured probe is the one slow part and sizes nothing here
    (the tiny budget picks the smallest width either way)."""
    config = _config(source, tmp_path / "run")
    config, note = trial_config(from_source(source), config, probe=False)
    problems = preflight(from_source(config.source), replace(config, trial=False),
                         timing=False)
    assert note and not [p for p in problems if p.severity == "error"], problems
    events = list(TrainRun(config))
    end = events[-1]
    assert isinstance(end, EndEvent) and end.status == "finished", end
    losses = [e.loss for e in events if isinstance(e, StepEvent)]
    assert losses and math.isfinite(losses[-1])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_trains_at_trial_scale(name, tmp_path):
    _trains_one_step(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("key,upto", _LESSON_STEPS)
def test_every_lesson_step_trains_at_trial_scale(key, upto, tmp_path):
    path = tmp_path / "lesson.olm.json"
    save(lesson_model(key, upto), path)
    _trains_one_step(str(path), tmp_path)


def test_preflight_builds_the_trial_copy_it_will_train(tmp_path):
    """The lesson's GQA step writes ``num_kv_heads: 3`` as a number while ``num_heads`` is a
    variable; trial scale used to shrink the heads to 2 and keep the 3, which the pre-flight
    said was ready to train and the run refused at start."""
    graph = lesson_model("modernise-gpt2", 3)
    path = tmp_path / "gqa.olm.json"
    save(graph, path)
    config = _config(str(path), tmp_path / "run")
    assert [p for p in preflight(graph, config, timing=False) if p.severity == "error"] == []
    new, problems, _ = plan_run(config)
    assert [p for p in problems if p.severity == "error"] == []
    trial = from_source(new.source)
    for node in trial.nodes.values():
        if node.type == "GroupedQueryAttention":
            env = trial.variable_values()[0]
            heads = env["num_heads"]
            kv = node.params["num_kv_heads"]
            assert heads % kv == 0 and (kv < heads or heads == 1)
            # the lesson's group of 4 query heads per KV head (12 / 3), as far as the
            # trial's head count allows (the probe picks the width, so the count varies)
            assert kv == max(1, heads // 4) or heads % max(1, heads // 4)
