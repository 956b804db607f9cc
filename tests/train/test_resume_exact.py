"""Stopped runs resume from what their run record says, exactly (issue 23 item 5).

Each case stops a real ``olm train`` process with a signal, resumes it, and compares every
loss after the stop with an uninterrupted run of the same model and settings, bit for bit.
A trial-scale run resumes its trial copy even when the full-size SOURCE is given again
(the Studio passes its canvas; before the run record that rebuilt the full-size model and
failed with "size mismatch"); a fine-tune records the weights it started from.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from stopped_run import stopped_child
from tiny_models import tiny_llama, write_tiny_source

from olm.cli.main import main
from olm.store import layout
from olm.store.record import read_record
from olm.train.events import StartEvent, StepEvent, read_events


def _settings(corpus: Path, steps: int) -> list[str]:
    return ["--data", str(corpus), "--steps", str(steps), "--batch-size", "2", "--seq-len",
            "16", "--eval-every", "0", "--log-every", "1", "--threads", "1", "--lr", "3e-3",
            "--checkpoint-every", "100000"]


def _stopped_run(args: list[str], out: Path, sig: signal.Signals) -> int:
    """Run ``olm train ARGS --out OUT`` as a child, stop it after its first step with
    ``sig`` and return the step it stopped at."""
    events = out / layout.EVENTS
    end = stopped_child(["train", *args, "--out", str(out), "--events", str(events)],
                        events, sig)
    assert read_record(out)["status"] == "stopped"
    return end.step


def _losses_after(events: Path, step: int) -> dict[int, float]:
    """Step losses past ``step``, from the last start in the file (the resumed part)."""
    found = read_events(events)
    last_start = max(i for i, e in enumerate(found) if isinstance(e, StartEvent))
    return {e.step: e.loss for e in found[last_start:]
            if isinstance(e, StepEvent) and e.step > step}


def _uninterrupted(args: list[str], out: Path) -> Path:
    assert main(["train", *args, "--out", str(out), "--events", str(out / layout.EVENTS)]) == 0
    return out / layout.EVENTS


def _same_after_resume(stopped: Path, at: int, reference: Path, steps: int) -> None:
    resumed = _losses_after(stopped / layout.EVENTS, at)
    assert sorted(resumed) == list(range(at + 1, steps + 1))
    expected = {s: v for s, v in _losses_after(reference, 0).items() if s > at}
    assert resumed == expected  # bit for bit: the same floats, read from JSON


@pytest.mark.slow
def test_a_stopped_trial_run_resumes_its_trial_copy(corpus_file, tmp_path):
    steps = 150
    run = tmp_path / "trial"
    settings = _settings(corpus_file, steps)
    at = _stopped_run(["GPT2", "--trial", "--budget", "30s", *settings], run, signal.SIGINT)
    assert at < steps, "the run finished before it could be stopped"
    record = read_record(run)
    assert record["document"] == layout.MODEL_DOCUMENT and record["original"]
    trained = json.loads((run / layout.MODEL_DOCUMENT).read_text())
    original = json.loads((run / layout.ORIGINAL_DOCUMENT).read_text())
    assert trained != original
    # the full-size SOURCE given again, as the Studio gives its canvas: the record wins.
    # --budget bounds each command's wall time (the stop above may be the budget's own), so
    # the resume is given time to reach the last step
    assert main(["train", "GPT2", "--resume", str(run), "--data", str(corpus_file),
                 "--max-time", "1h"]) == 0
    reference = _uninterrupted([str(run / layout.MODEL_DOCUMENT), *settings], tmp_path / "ref")
    _same_after_resume(run, at, reference, steps)


@pytest.mark.slow
def test_a_stopped_full_run_resumes_exactly(corpus_file, tmp_path):
    steps = 300
    source = write_tiny_source(tmp_path / "tiny.py")
    settings = _settings(corpus_file, steps)
    run = tmp_path / "run"
    at = _stopped_run([source, *settings], run, signal.SIGTERM)
    assert at < steps, "the run finished before it could be stopped"
    assert main(["train", "--resume", str(run), "--trust-recorded-paths"]) == 0
    reference = _uninterrupted([source, *settings], tmp_path / "ref")
    _same_after_resume(run, at, reference, steps)


@pytest.mark.slow
def test_a_stopped_fine_tune_resumes_exactly_and_records_its_weights(corpus_file, tmp_path):
    steps = 300
    pretrained = tmp_path / "pretrained"
    tiny_llama(dim=32).save(pretrained)
    settings = ["--init-from", str(pretrained), *_settings(corpus_file, steps)]
    run = tmp_path / "run"
    at = _stopped_run(settings, run, signal.SIGINT)
    assert at < steps, "the run finished before it could be stopped"
    assert read_record(run)["settings"]["init_from"] == str(pretrained)
    assert main(["train", "--resume", str(run), "--data", str(corpus_file),
                 "--init-from", str(pretrained)]) == 0
    reference = _uninterrupted(settings, tmp_path / "ref")
    _same_after_resume(run, at, reference, steps)
