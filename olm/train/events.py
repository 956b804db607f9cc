"""The training event stream: typed events, written and read as JSON lines.

``train_iter`` yields :class:`Event` objects (:class:`StartEvent`, :class:`StepEvent`,
...); :class:`EventWriter` writes their :meth:`Event.to_json` (rank 0 only) to a file or
stdout, one JSON object per line, flushed at once so a reader (the Studio's live plots,
``tail -f``) sees each step as it happens. :func:`read_events` and
:func:`parse_event_line` are the one way back from text to events, so no reader guesses
field names. Every field is documented in ``docs/events.md``; each line carries the
schema ``version`` so a reader can refuse a stream newer than itself.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from olm.core.errors import FileFormatError

__all__ = [
    "EVENTS_VERSION", "EVENT_KINDS", "Event", "StartEvent", "StepEvent", "EvalEvent",
    "SampleEvent", "CheckpointEvent", "ConfigChangeEvent", "EndEvent", "TelemetryEvent",
    "EventWriter",
    "read_events", "parse_event_line", "event_from_json",
]

EVENTS_VERSION = 1
"""The schema version every line carries (``version``); lines without one are version 1."""

# a line longer than this is not an event (a reader never holds a runaway line)
_MAX_LINE = 4_000_000


def _clean(value: Any) -> Any:
    # JSON has no NaN/inf: a diverged loss is written as null (the end event says why)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (tuple, list)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _now() -> float:
    return round(time.time(), 3)


@dataclass
class Event:
    """What every event has: its kind (class), the wall-clock ``time`` it was made."""

    KIND: ClassVar[str] = ""
    time: float = field(default_factory=_now, kw_only=True)

    def to_json(self) -> dict[str, Any]:
        """The event as a strict-JSON dict: ``{"event": kind, "version": N, ...fields}``."""
        out: dict[str, Any] = {"event": self.KIND, "version": EVENTS_VERSION}
        for f in dataclasses.fields(self):
            out[f.name] = _clean(getattr(self, f.name))
        return out

    @classmethod
    def from_json(cls, data: Any) -> Event:
        """The typed event a :meth:`to_json` dict describes (of the kind it names).

        Unknown fields are ignored (a newer writer may add some within a version);
        missing ones take their defaults.

        Raises:
            FileFormatError: not an event, an unknown kind, a newer schema version, or a
                field of the wrong type.
        """
        return event_from_json(data)


@dataclass
class StartEvent(Event):
    """Once, after setup, before the first step."""

    KIND: ClassVar[str] = "start"
    config: dict[str, Any] = field(default_factory=dict)
    resumed_from_step: int = 0
    steps: int = 0
    params: int = 0
    device: str = ""
    world_size: int = 1
    tokens_per_step: int = 0
    tokenizer: str = ""
    vocab_size: int = 0
    train_tokens: int = 0
    val_tokens: int = 0
    out: str | None = None


@dataclass
class ConfigChangeEvent(Event):
    """A resumed run whose settings were changed by explicit flags: what changed."""

    KIND: ClassVar[str] = "config_change"
    step: int = 0
    changes: dict[str, list[Any]] = field(default_factory=dict)  # name: [saved, new]


@dataclass
class StepEvent(Event):
    """Every ``log_every`` optimizer steps (and the last)."""

    KIND: ClassVar[str] = "step"
    step: int = 0
    loss: float | None = None
    lr: float | None = None
    grad_norm: float | None = None
    tokens: int = 0
    tokens_per_s: float | None = None
    elapsed_s: float | None = None
    eta_s: float | None = None


@dataclass
class EvalEvent(Event):
    """A validation loss, every ``eval_every`` steps and at the last step."""

    KIND: ClassVar[str] = "eval"
    step: int = 0
    val_loss: float | None = None
    val_ppl: float | None = None


@dataclass
class SampleEvent(Event):
    """A sample text, every ``sample_every`` steps."""

    KIND: ClassVar[str] = "sample"
    step: int = 0
    prompt: str = ""
    text: str = ""


@dataclass
class CheckpointEvent(Event):
    """After a checkpoint is completely written."""

    KIND: ClassVar[str] = "checkpoint"
    step: int = 0
    path: str = ""


@dataclass
class EndEvent(Event):
    """Always last: how the run ended."""

    KIND: ClassVar[str] = "end"
    status: str = "failed"
    reason: str | None = None
    step: int = 0
    checkpoint: str | None = None
    val_loss: float | None = None
    elapsed_s: float | None = None


@dataclass
class TelemetryEvent(Event):
    """Every ``telemetry`` optimizer steps: per-node statistics (``olm.train.telemetry``).

    ``nodes`` maps a node id of the run's graph document to its metrics; a node inside a
    ``Repeat`` has a list per metric, one entry per layer.
    """

    KIND: ClassVar[str] = "telemetry"
    step: int = 0
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)


_CLASSES: dict[str, type[Event]] = {c.KIND: c for c in (
    StartEvent, ConfigChangeEvent, StepEvent, EvalEvent, SampleEvent, CheckpointEvent,
    TelemetryEvent, EndEvent)}
EVENT_KINDS: tuple[str, ...] = tuple(_CLASSES)


def _allowed(hint: Any) -> tuple[type, ...]:
    """The JSON types a field annotation accepts (``float`` also takes an int)."""
    out: list[type] = []
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    for arg in typing.get_args(hint) if union else (hint,):
        origin = typing.get_origin(arg) or arg
        if arg is type(None):
            out.append(type(None))
        elif origin is float:
            out += [float, int]
        elif isinstance(origin, type):
            out.append(origin)
    return tuple(out)


_TYPES: dict[type[Event], dict[str, tuple[type, ...]]] = {
    cls: {name: _allowed(hint) for name, hint in typing.get_type_hints(cls).items()
          if name != "KIND"}
    for cls in _CLASSES.values()
}


def event_from_json(data: Any) -> Event:
    """The typed event of a decoded JSON line (see :meth:`Event.from_json`)."""
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise FileFormatError("an event must be a JSON object with an \"event\" name")
    cls = _CLASSES.get(data["event"])
    if cls is None:
        raise FileFormatError(f"unknown event kind {data['event']!r}; expected one of "
                              f"{', '.join(EVENT_KINDS)}")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FileFormatError(f"event version must be a positive integer, got {version!r}")
    if version > EVENTS_VERSION:
        raise FileFormatError(f"events of version {version} are newer than this olm reads "
                              f"({EVENTS_VERSION}): upgrade olm")
    kwargs = {}
    for name, allowed in _TYPES[cls].items():
        if name not in data:
            continue
        value = data[name]
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            raise FileFormatError(f"{cls.KIND} event field {name!r} has the wrong type "
                                  f"({type(value).__name__})")
        kwargs[name] = value
    return cls(**kwargs)


def parse_event_line(line: str | bytes) -> Event | None:
    """One line of an events stream as an event, or None when it is not one.

    A stream may be shared with other output (a progress bar, a stray print) and its
    last line may be torn mid-write: anything that is not a whole JSON event object of a
    known kind is skipped, not an error.

    Raises:
        FileFormatError: the line is an event of a newer schema version than this olm.
    """
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    line = line.strip()
    if not line.startswith("{") or len(line) > _MAX_LINE:
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    try:
        return event_from_json(data)
    except FileFormatError as err:
        if "newer than this olm" in str(err):
            raise
        return None


def read_events(path: str | Path) -> list[Event]:
    """Every event in a JSON-lines file, in order (a missing file has none).

    Non-event lines and a torn last line are skipped (see :func:`parse_event_line`).
    """
    events = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                event = parse_event_line(line)
                if event is not None:
                    events.append(event)
    except FileNotFoundError:
        return []
    return events


class EventWriter:
    """Writes events as JSON lines to a path, or to stdout for ``"-"``.

    Args:
        target (str | Path | None): file path, ``"-"`` for stdout, or None (discard).
        enabled (bool): False on non-zero DDP ranks, so only rank 0 writes.
    """

    def __init__(self, target: str | Path | None, enabled: bool = True) -> None:
        self._fh: IO[str] | None = None
        self._own = False
        if target is None or not enabled:
            return
        if str(target) == "-":
            self._fh = sys.stdout
        else:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("a", encoding="utf-8")
            self._own = True

    def write(self, event: Event) -> None:
        """Append one event as a line, flushed at once."""
        if self._fh is None:
            return
        self._fh.write(json.dumps(event.to_json(), allow_nan=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._own and self._fh is not None:
            self._fh.close()
        self._fh = None

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
