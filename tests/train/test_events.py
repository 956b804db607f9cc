"""The event writer: strict JSON lines, rank-0 only, readable while being written."""

from __future__ import annotations

import json

import pytest

from olm.train.events import EventWriter, make_event, read_events


def test_writer_round_trip_and_non_finite_numbers(tmp_path):
    path = tmp_path / "sub" / "events.jsonl"
    with EventWriter(path) as w:
        w.write(make_event("step", step=1, loss=float("nan"), lr=1e-3))
        w.write(make_event("end", status="failed", reason="loss became nan"))
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["loss"] is None  # strict JSON: NaN becomes null
    events = read_events(path)
    assert [e["event"] for e in events] == ["step", "end"]
    with path.open("a") as fh:
        fh.write('{"event": "step", "ti')  # a reader may catch a line mid-write
    assert len(read_events(path)) == 2


def test_disabled_writer_writes_nothing(tmp_path):
    path = tmp_path / "events.jsonl"
    with EventWriter(path, enabled=False) as w:
        w.write(make_event("start"))
    assert not path.exists()


def test_stdout_and_unknown_kinds(capsys):
    EventWriter("-").write(make_event("eval", step=2, val_loss=1.5))
    assert json.loads(capsys.readouterr().out)["val_loss"] == 1.5
    with pytest.raises(ValueError, match="unknown event kind"):
        make_event("progress")
