"""RunHistory folds `olm train` events into growing arrays the plots draw from."""

import json
import math

import numpy as np

from olm_studio.training.history import GrowingArray, RunHistory, parse_event_line, read_events


def test_growing_array_keeps_every_value_across_reallocation():
    arr = GrowingArray(capacity=2)
    values = [float(i) * 0.5 for i in range(1000)]
    for v in values:
        arr.append(v)
    assert len(arr) == 1000
    np.testing.assert_array_equal(arr.values, np.array(values))
    assert arr.last() == values[-1]
    assert math.isnan(GrowingArray().last())


def test_parse_event_line_ignores_non_events():
    assert parse_event_line('{"event": "step", "step": 1}\n') == {"event": "step", "step": 1}
    assert parse_event_line(b'{"event": "end", "status": "finished"}')["status"] == "finished"
    for junk in ["", "step 3/10 [####   ]", "{not json", '{"no_event": 1}', "[1, 2]",
                 '{"event": 5}']:
        assert parse_event_line(junk) is None


def test_history_collects_steps_evals_samples_and_end():
    events = [
        {"event": "start", "total_steps": 4, "tokens_per_step": 32},
        *({"event": "step", "step": s, "loss": 5.0 - s, "lr": 1e-3 * s,
           "tokens_per_s": 100.0 + s, "grad_norm": 0.5, "elapsed_s": 0.1 * s, "eta_s": 4 - s}
          for s in range(1, 5)),
        {"event": "eval", "step": 2, "val_loss": 3.5},
        {"event": "sample", "step": 2, "text": "def f():"},
        {"event": "checkpoint", "step": 4, "path": "/x/ckpt"},
        {"event": "end", "status": "finished", "step": 4},
        {"event": "unknown-kind", "step": 99},
    ]
    h = RunHistory().feed_all(events)
    np.testing.assert_array_equal(h.step.values, [1, 2, 3, 4])
    np.testing.assert_array_equal(h.loss.values, [4, 3, 2, 1])
    # No "tokens" field: derived from tokens_per_step announced at start.
    np.testing.assert_array_equal(h.tokens.values, [32, 64, 96, 128])
    np.testing.assert_array_equal(h.val_step.values, [2])
    np.testing.assert_array_equal(h.val_tokens.values, [64])
    assert h.samples == [(2, "def f():")]
    assert h.checkpoints == ["/x/ckpt"]
    assert h.end["status"] == "finished"
    assert h.total_steps == 4 and h.last_step == 4
    assert h.eta == 0 and math.isclose(h.elapsed, 0.4)


def test_smoothed_loss_is_debiased_ema():
    losses = [4.0, 2.0, 3.0, 1.0]
    h = RunHistory(smoothing=0.5)
    for i, loss in enumerate(losses, 1):
        h.feed({"event": "step", "step": i, "loss": loss})
    # Independent computation of the debiased EMA.
    ema, expected = 0.0, []
    for n, loss in enumerate(losses, 1):
        ema = 0.5 * ema + 0.5 * loss
        expected.append(ema / (1 - 0.5**n))
    np.testing.assert_allclose(h.loss_smooth.values, expected)
    assert h.loss_smooth.values[0] == losses[0]  # debiasing: first point is the loss itself


def test_missing_fields_are_nan_not_errors():
    h = RunHistory().feed_all([{"event": "step", "step": 1}, {"event": "step", "loss": 1.0}])
    assert len(h.step) == 1  # a step event without a step number is dropped
    assert math.isnan(h.loss.values[0]) and math.isnan(h.lr.values[0])


def test_read_events_skips_torn_last_line(tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [json.dumps({"event": "step", "step": i, "loss": 1.0}) for i in range(3)]
    path.write_text("\n".join(lines) + '\n{"event": "st')
    assert [e["step"] for e in read_events(path)] == [0, 1, 2]
    assert list(read_events(tmp_path / "missing.jsonl")) == []
