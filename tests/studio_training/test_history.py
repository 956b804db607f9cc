"""RunHistory folds typed `olm train` events into growing arrays the plots draw from."""

import math

import numpy as np

from olm.train.events import (
    CheckpointEvent,
    EndEvent,
    EvalEvent,
    SampleEvent,
    StartEvent,
    StepEvent,
    parse_event_line,
)
from olm_studio.training.history import GrowingArray, RunHistory


def test_growing_array_keeps_every_value_across_reallocation():
    arr = GrowingArray(capacity=2)
    values = [float(i) * 0.5 for i in range(1000)]
    for v in values:
        arr.append(v)
    assert len(arr) == 1000
    np.testing.assert_array_equal(arr.values, np.array(values))
    assert arr.last() == values[-1]
    assert math.isnan(GrowingArray().last())


def test_history_collects_steps_evals_samples_and_end():
    events = [
        StartEvent(steps=4, tokens_per_step=32),
        *(StepEvent(step=s, loss=5.0 - s, lr=1e-3 * s, tokens=32 * s, tokens_per_s=100.0 + s,
                    grad_norm=0.5, elapsed_s=0.1 * s, eta_s=4 - s) for s in range(1, 5)),
        EvalEvent(step=2, val_loss=3.5),
        SampleEvent(step=2, text="def f():"),
        CheckpointEvent(step=4, path="/x/ckpt"),
        EndEvent(status="finished", step=4),
    ]
    h = RunHistory().feed_all(events)
    np.testing.assert_array_equal(h.step.values, [1, 2, 3, 4])
    np.testing.assert_array_equal(h.loss.values, [4, 3, 2, 1])
    np.testing.assert_array_equal(h.tokens.values, [32, 64, 96, 128])
    np.testing.assert_array_equal(h.val_step.values, [2])
    np.testing.assert_array_equal(h.val_tokens.values, [64])  # step x tokens per step
    assert h.samples == [(2, "def f():")]
    assert h.checkpoints == ["/x/ckpt"]
    assert h.end.status == "finished"
    assert h.total_steps == 4 and h.last_step == 4
    assert h.eta == 0 and math.isclose(h.elapsed, 0.4)


def test_smoothed_loss_is_debiased_ema():
    losses = [4.0, 2.0, 3.0, 1.0]
    h = RunHistory(smoothing=0.5)
    for i, loss in enumerate(losses, 1):
        h.feed(StepEvent(step=i, loss=loss))
    # Independent computation of the debiased EMA.
    ema, expected = 0.0, []
    for n, loss in enumerate(losses, 1):
        ema = 0.5 * ema + 0.5 * loss
        expected.append(ema / (1 - 0.5**n))
    np.testing.assert_allclose(h.loss_smooth.values, expected)
    assert h.loss_smooth.values[0] == losses[0]  # debiasing: first point is the loss itself


def test_null_numbers_are_nan_and_other_names_are_not_guessed():
    # a diverged loss is written as null; the history plots a gap, not an error
    h = RunHistory().feed_all([parse_event_line('{"event": "step", "step": 1, "loss": null}')])
    assert math.isnan(h.loss.values[0]) and math.isnan(h.lr.values[0])
    # the library's rule: only the documented fields count ("train_loss" is nobody's name)
    h = RunHistory().feed_all([parse_event_line(
        '{"event": "step", "step": 1, "train_loss": 2.0, "learning_rate": 0.1}')])
    assert math.isnan(h.loss.values[0]) and math.isnan(h.lr.values[0])


def test_resume_rewinds_to_its_step():
    h = RunHistory().feed_all([StepEvent(step=s, loss=1.0) for s in range(1, 6)])
    h.feed(StartEvent(resumed_from_step=3, steps=8))
    np.testing.assert_array_equal(h.step.values, [1, 2, 3])
    assert h.total_steps == 8 and h.end is None
