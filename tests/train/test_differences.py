"""One list of settings that name places (olm.train.differences): compare and resume agree."""

from __future__ import annotations

from tiny_models import write_tiny_source

from olm.cli.main import main
from olm.train import TrainConfig
from olm.train.differences import PLACES, config_differences
from olm.train.events import ConfigChangeEvent, read_events


def test_places_are_never_differences(tmp_path):
    a = TrainConfig(source="a.py", out=str(tmp_path / "a"), events=str(tmp_path / "a.jsonl"))
    b = TrainConfig(source="b.py", out=str(tmp_path / "b"), events=str(tmp_path / "b.jsonl"),
                    lr=a.lr * 2, min_lr=a.min_lr)
    assert {name for name, _, _ in config_differences(a, b)} == {"lr"}
    assert {"source", "out", "events", "resume"} <= set(PLACES)


def test_a_resume_with_a_new_events_file_reports_only_real_changes(corpus_file, tmp_path):
    source = write_tiny_source(tmp_path / "tiny.py")
    out = tmp_path / "run"
    base = ["--data", str(corpus_file), "--batch-size", "2", "--seq-len", "16",
            "--eval-every", "2", "--eval-batches", "1", "--threads", "1"]
    assert main(["train", source, *base, "--steps", "2", "--out", str(out),
                 "--events", str(tmp_path / "first.jsonl")]) == 0
    second = tmp_path / "second.jsonl"
    # the corpus lies outside the run, so it is given again (a received run folder never
    # chooses what olm reads); the same value given again is not a change
    assert main(["train", "--resume", str(out), "--steps", "3", "--events", str(second),
                 "--data", str(corpus_file)]) == 0
    changes = [e.changes for e in read_events(second) if isinstance(e, ConfigChangeEvent)]
    assert changes == [{"steps": [2, 3]}]
