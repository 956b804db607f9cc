"""Typed events: strict JSON lines, rank-0 only, versioned, readable while being written."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from olm.core.errors import FileFormatError
from olm.train import events as ev
from olm.train.events import (
    EVENT_KINDS,
    EVENTS_VERSION,
    EndEvent,
    EvalEvent,
    Event,
    EventWriter,
    StartEvent,
    StepEvent,
    parse_event_line,
    read_events,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"
CLASSES = [getattr(ev, name) for name in ev.__all__
           if isinstance(getattr(ev, name), type) and issubclass(getattr(ev, name), Event)
           and getattr(ev, name) is not Event]


def test_writer_round_trip_and_non_finite_numbers(tmp_path):
    path = tmp_path / "sub" / "events.jsonl"
    with EventWriter(path) as w:
        w.write(StepEvent(step=1, loss=float("nan"), lr=1e-3))
        w.write(EndEvent(status="failed", reason="loss became nan"))
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    assert first["loss"] is None  # strict JSON: NaN becomes null
    assert first["event"] == "step" and first["version"] == EVENTS_VERSION
    events = read_events(path)
    assert [type(e) for e in events] == [StepEvent, EndEvent]
    assert events[0].step == 1 and events[0].lr == 1e-3 and events[0].loss is None
    assert events[1].reason == "loss became nan"
    with path.open("a") as fh:
        fh.write('{"event": "step", "ti')  # a reader may catch a line mid-write
    assert len(read_events(path)) == 2


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.KIND)
def test_every_kind_round_trips_through_json(cls):
    event = cls()
    text = json.dumps(event.to_json(), allow_nan=False)
    back = Event.from_json(json.loads(text))
    assert type(back) is cls and back == event


def test_reader_refuses_newer_versions_and_wrong_types_and_skips_noise():
    assert parse_event_line("progress bar noise") is None
    assert parse_event_line('{"no": "event"}') is None
    assert parse_event_line('{"event": "heartbeat"}') is None  # unknown kinds are not events
    old = parse_event_line('{"event": "eval", "step": 4, "val_loss": 2}')  # unversioned = v1
    assert old == EvalEvent(time=old.time, step=4, val_loss=2)
    with pytest.raises(FileFormatError, match="newer than this olm"):
        parse_event_line(json.dumps({"event": "step", "version": EVENTS_VERSION + 1}))
    with pytest.raises(FileFormatError, match="'step' has the wrong type"):
        Event.from_json({"event": "step", "step": "3"})
    with pytest.raises(FileFormatError, match="wrong type"):
        Event.from_json({"event": "step", "step": True})
    with pytest.raises(FileFormatError, match="unknown event kind"):
        Event.from_json({"event": "progress"})
    assert parse_event_line('{"event": "step", "step": "3"}') is None  # a reader skips it


def test_disabled_writer_writes_nothing(tmp_path):
    path = tmp_path / "events.jsonl"
    with EventWriter(path, enabled=False) as w:
        w.write(StartEvent())
    assert not path.exists()
    assert read_events(tmp_path / "missing.jsonl") == []


def test_stdout(capsys):
    EventWriter("-").write(EvalEvent(step=2, val_loss=1.5))
    assert json.loads(capsys.readouterr().out)["val_loss"] == 1.5


def test_every_kind_and_field_is_documented():
    text = DOCS.read_text()
    documented = set(re.findall(r"^\|\s*`(\w+)`", text, flags=re.M))
    for cls in CLASSES:
        assert f"## `{cls.KIND}`" in text, cls.KIND
        fields = {f.name for f in dataclasses.fields(cls)} | {"event", "version"}
        assert fields <= documented, (cls.KIND, fields - documented)
    assert set(EVENT_KINDS) == {c.KIND for c in CLASSES}
