"""The training event stream: plain dicts, written as JSON lines.

``train_iter`` yields these dicts; :class:`EventWriter` writes them (rank 0 only) to a
file or stdout, one JSON object per line, flushed at once so a reader (the Studio's live
plots, ``tail -f``) sees each step as it happens. Every field is documented in
``docs/events.md``.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["make_event", "EventWriter", "EVENT_KINDS", "read_events"]

EVENT_KINDS = ("start", "step", "eval", "sample", "checkpoint", "end")


def _clean(value: Any) -> Any:
    # JSON has no NaN/inf: a diverged loss is written as null (the end event says why)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def make_event(kind: str, **fields: Any) -> dict:
    """An event dict: ``{"event": kind, "time": <unix seconds>, **fields}``."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
    return {"event": kind, "time": round(time.time(), 3), **{k: _clean(v) for k, v in fields.items()}}


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

    def write(self, event: dict) -> None:
        if self._fh is None:
            return
        self._fh.write(json.dumps(event, allow_nan=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._own and self._fh is not None:
            self._fh.close()
        self._fh = None

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_events(path: str | Path) -> list[dict]:
    """All events in a JSON-lines file (a torn last line, mid-write, is skipped)."""
    events = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
