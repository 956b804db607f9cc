"""A budget bounds the wall time (issue 24 item 8).

``olm train GPT2 --trial --budget 30s`` used to print "even the smallest copy needs about
9.5 min" and run its 1,000 steps anyway (774 s). Now a budget that even the smallest copy
cannot meet trains fewer steps, and ``max_time`` stops a run cleanly, with a checkpoint it
can resume from, once its time is up.
"""

from __future__ import annotations

import pytest
from tiny_models import tiny_llama

from olm.core.errors import ConfigError
from olm.graph import from_source
from olm.train import TrainConfig, TrainRun
from olm.train.events import CheckpointEvent, EndEvent, StartEvent
from olm.train.run import TIME_BUDGET
from olm.train.trial import trial_config


def _cfg(corpus, **kw) -> TrainConfig:
    base = dict(source=tiny_llama(), data=str(corpus), steps=6, batch_size=2, seq_len=16,
                lr=3e-3, warmup_steps=0, eval_every=0, eval_batches=1, threads=1)
    base.update(kw)
    return TrainConfig(**base)


def test_a_budget_too_small_for_the_steps_trains_fewer(tmp_path):
    config = TrainConfig(source="GPT2", trial=True, budget="2s", steps=100_000, batch_size=2,
                         seq_len=32, device="cpu", out=str(tmp_path / "run"))
    new, note = trial_config(from_source("GPT2"), config, probe=False)
    assert 1 <= new.steps < config.steps
    assert f"training {new.steps} steps to fit the budget" in note
    assert new.warmup_steps <= new.steps
    # and the run itself is bounded by what is left of the budget
    assert new.max_time_seconds is not None and new.max_time_seconds <= 2


def test_steps_that_fit_are_kept(tmp_path):
    config = TrainConfig(source="GPT2", trial=True, budget="1h", steps=3, batch_size=1,
                         seq_len=16, device="cpu", out=str(tmp_path / "run"))
    new, note = trial_config(from_source("GPT2"), config, probe=False)
    assert new.steps == 3 and "fit the budget" not in note
    assert new.max_time_seconds <= 3600


def test_max_time_stops_the_run_with_a_checkpoint_and_it_resumes(corpus_file, tmp_path):
    out = tmp_path / "run"
    events = list(TrainRun(_cfg(corpus_file, steps=1_000_000, max_time="1s", out=str(out))))
    end = events[-1]
    assert isinstance(end, EndEvent) and end.status == "stopped", end
    assert end.reason.startswith(TIME_BUDGET) and "max_time 1s" in end.reason
    assert 1 <= end.step < 1_000_000
    saved = [e for e in events if isinstance(e, CheckpointEvent)]
    assert saved and saved[-1].step == end.step and end.checkpoint == saved[-1].path

    resumed = list(TrainRun(_cfg(corpus_file, steps=end.step + 2, out=str(out),
                                 resume=str(out))))
    start = next(e for e in resumed if isinstance(e, StartEvent))
    assert start.resumed_from_step == end.step
    assert resumed[-1].status == "finished" and resumed[-1].step == end.step + 2


def test_a_run_that_finishes_in_time_is_not_stopped(corpus_file):
    events = list(TrainRun(_cfg(corpus_file, steps=2, max_time="1h")))
    assert events[-1].status == "finished" and events[-1].step == 2


@pytest.mark.parametrize("text", ["0s", "-3m", "soon", "nan"])
def test_a_bad_max_time_is_refused_by_name(text, corpus_file):
    with pytest.raises(ConfigError, match="max_time must be a positive time"):
        _cfg(corpus_file, max_time=text)
