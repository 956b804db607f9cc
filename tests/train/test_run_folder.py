"""A run folder has one owner, is reused only on purpose, and resumes as it was set up.

Also: every output path is checked before the first step (one line, exit 2).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tiny_models import write_tiny_source
from waiting import CHILD_S

from olm.cli.main import main
from olm.core.errors import ConfigError
from olm.store.resume import check_tokenizer as _check_tokenizer
from olm.store.run_lock import LOCK_NAME, RunLock
from olm.train.events import ConfigChangeEvent, StartEvent, StepEvent, read_events

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def source(tmp_path) -> str:
    return write_tiny_source(tmp_path / "tiny.py")


def _args(source, corpus, out, *extra, steps=4):
    return ["train", source, "--data", str(corpus), "--steps", str(steps), "--batch-size", "2",
            "--seq-len", "16", "--eval-every", "2", "--eval-batches", "1", "--threads", "1",
            "--lr", "2e-3", "--out", str(out), "--events", str(out / "events.jsonl"), *extra]


def _olm(*args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "olm.cli.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _wait_for_step(proc: subprocess.Popen, events: Path) -> None:
    """Block until the child has written a step event (or fail if it died or hung)."""
    deadline = time.monotonic() + CHILD_S
    while not any(isinstance(e, StepEvent) for e in read_events(events)):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the child wrote no step event"
        time.sleep(0.05)


@pytest.mark.slow
def test_second_process_is_refused_and_a_killed_runs_lock_is_taken_over(source, corpus_file,
                                                                        tmp_path):
    out = tmp_path / "run"
    first = _olm(*_args(source, corpus_file, out, steps=1_000_000))
    try:
        _wait_for_step(first, out / "events.jsonl")
        second = _olm(*_args(source, corpus_file, out))
        _, err = second.communicate(timeout=CHILD_S)
        assert second.returncode == 2, err
        assert f"is in use by PID {first.pid}" in err and err.count("\n") == 1
        # the refused process touched nothing: the first still owns the events
        assert [isinstance(e, StartEvent) for e in read_events(out / "events.jsonl")].count(True) == 1
        first.send_signal(signal.SIGKILL)  # no chance to release anything
        first.communicate(timeout=CHILD_S)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert (out / LOCK_NAME).is_file()  # the dead run's lock file is still there
    third = _olm(*_args(source, corpus_file, out, steps=2))
    _, err = third.communicate(timeout=CHILD_S)
    assert third.returncode == 0, err
    assert f"locked by PID {first.pid}, which is no longer running" in err


def test_lock_in_process_names_the_holder(source, corpus_file, tmp_path, capsys):
    out = tmp_path / "run"
    with RunLock(out):
        assert main(_args(source, corpus_file, out)) == 2
        err = capsys.readouterr().err
        assert f"in use by PID {os.getpid()}" in err and "choose another --out" in err
    assert main(_args(source, corpus_file, out, steps=1)) == 0  # released: free again


def test_a_finished_runs_folder_needs_resume_or_overwrite(source, corpus_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(_args(source, corpus_file, out, steps=2)) == 0
    before = (out / "checkpoints" / "step_0000002" / "model.safetensors").read_bytes()
    capsys.readouterr()
    assert main(_args(source, corpus_file, out, steps=2)) == 2
    err = capsys.readouterr().err
    assert "already holds a run's checkpoints" in err and "--resume" in err
    assert "--overwrite" in err
    assert (out / "checkpoints" / "step_0000002" / "model.safetensors").read_bytes() == before
    assert main(_args(source, corpus_file, out, "--overwrite", "--seed", "5", steps=1)) == 0
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["step_0000001"]
    events = read_events(out / "events.jsonl")
    assert [type(e) for e in events][0] is StartEvent and events[0].config["seed"] == 5


def test_resume_restores_every_setting_and_records_changes(source, corpus_file, tmp_path):
    out = tmp_path / "run"
    assert main(_args(source, corpus_file, out, "--seed", "3", "--log-every", "2")) == 0
    first = read_events(out / "events.jsonl")[0].config
    # no settings but the step count: the run continues exactly as it was set up, into
    # its own folder and its own events file (the corpus lies outside the run folder, so
    # its recorded path is confirmed: olm.store.resume)
    assert main(["train", "--resume", str(out), "--steps", "6", "--trust-recorded-paths"]) == 0
    events = read_events(out / "events.jsonl")
    assert len([e for e in events if isinstance(e, StartEvent)]) == 2
    assert (out / "checkpoints" / "step_0000006" / "model.safetensors").is_file()

    assert main(["train", "--resume", str(out), "--steps", "8", "--lr", "1e-3",
                 "--trust-recorded-paths"]) == 0
    events = read_events(out / "events.jsonl")
    start = [e for e in events if isinstance(e, StartEvent)][-1]
    assert start.resumed_from_step == 6 and start.out == str(out)
    for name in ("data", "batch_size", "seq_len", "seed", "log_every", "eval_every", "threads",
                 "tokenizer", "max_corpus_bytes", "warmup_steps"):
        assert start.config[name] == first[name], name
    assert start.config["lr"] == 1e-3 and start.config["steps"] == 8
    change = [e for e in events if isinstance(e, ConfigChangeEvent)]
    assert [c.step for c in change] == [4, 6]
    assert change[0].changes == {"steps": [4, 6]}
    assert change[1].changes == {"steps": [6, 8], "lr": [2e-3, 1e-3]}
    assert [e.step for e in events if isinstance(e, StepEvent)][-1] == 8
    assert (out / "checkpoints" / "step_0000008").is_dir()


def test_resume_from_a_checkpoint_folder_keeps_the_run_folder(source, corpus_file, tmp_path):
    out = tmp_path / "run"
    assert main(_args(source, corpus_file, out, steps=2)) == 0
    ckpt = out / "checkpoints" / "step_0000002"
    assert main(["train", "--resume", str(ckpt), "--steps", "3", "--data", str(corpus_file)]) == 0
    assert (out / "checkpoints" / "step_0000003").is_dir()


def test_a_tokenizer_that_cannot_be_found_is_an_error(tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    with pytest.raises(ConfigError, match="tokenizer .*gone.json.* cannot be found"):
        _check_tokenizer(str(tmp_path / "gone.json"), ckpt)
    _check_tokenizer("byte", ckpt)
    _check_tokenizer("bpe:300", ckpt)
    (ckpt / "tokenizer").mkdir()
    _check_tokenizer(str(tmp_path / "gone.json"), ckpt)  # the checkpoint has its own copy


@pytest.mark.parametrize("case", ["out_is_file", "events_is_folder", "events_parent_is_file",
                                  "out_unwritable", "events_unwritable"])
def test_output_paths_are_checked_before_the_first_step(case, source, corpus_file, tmp_path,
                                                         capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    out, events = tmp_path / "run", tmp_path / "events.jsonl"
    expected = {
        "out_is_file": (a_file, events, "--out .* is a file"),
        "events_is_folder": (out, tmp_path, "--events .* is a folder"),
        "events_parent_is_file": (out, a_file / "sub" / "e.jsonl", "a_file is a file"),
        # /proc refuses new files even to root, where permission bits do not
        "out_unwritable": (Path("/proc/olm-test-run"), events, "not writable"),
        "events_unwritable": (out, Path("/proc/olm-test-events.jsonl"), "not writable"),
    }
    bad_out, bad_events, message = expected[case]
    args = _args(source, corpus_file, out)
    args[args.index("--out") + 1] = str(bad_out)
    args[args.index("--events") + 1] = str(bad_events)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("olm train: error:")
    import re

    assert re.search(message, err), err
    assert not out.exists() or not any(out.iterdir())  # nothing was started
    if bad_events != events:
        assert not events.exists()
