"""What a run has reported so far, held in growing numpy buffers the plots draw from.

`olm train` writes one JSON object per line (see ``docs/events.md``). :class:`RunHistory`
folds those events into per-metric arrays. The arrays grow by doubling, so appending
stays O(1) amortized and the plots can hand a view (``buffer[:n]``) to pyqtgraph's
``setData`` without copying thousands of points on every step.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["GrowingArray", "RunHistory", "parse_event_line", "read_events"]


class GrowingArray:
    """A float64 array that appends in amortized O(1) and exposes a view of its filled part.

    Args:
        capacity: initial number of slots; it doubles when full.
    """

    def __init__(self, capacity: int = 256) -> None:
        self._data = np.empty(max(1, capacity), dtype=np.float64)
        self._size = 0

    def append(self, value: float) -> None:
        if self._size == len(self._data):
            grown = np.empty(2 * len(self._data), dtype=np.float64)
            grown[: self._size] = self._data
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    @property
    def values(self) -> np.ndarray:
        """The filled part (a view: do not keep it across appends if you need it frozen)."""
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size

    def truncate(self, size: int) -> None:
        """Keep only the first ``size`` values."""
        self._size = max(0, min(size, self._size))

    def last(self, default: float = math.nan) -> float:
        return float(self._data[self._size - 1]) if self._size else default


def _number(event: dict[str, Any], *keys: str) -> float:
    """The first of ``keys`` present in ``event`` as a float, else NaN."""
    for key in keys:
        value = event.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return math.nan


def parse_event_line(line: str | bytes) -> dict[str, Any] | None:
    """One events line as a dict, or ``None`` for blank lines and non-event output.

    Anything that is not a JSON object with an ``"event"`` key (a stray print, a progress
    bar) is ignored rather than treated as an error: the stream is shared with the child.
    """
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return None
    return event


def read_events(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every event in an events file; a missing file has none, a torn last line is skipped."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                event = parse_event_line(line)
                if event is not None:
                    yield event
    except FileNotFoundError:
        return


@dataclass
class RunHistory:
    """The curves and facts of one run, built by feeding it events in order.

    Args:
        tokens_per_step: tokens one step consumes; used for the tokens axis when an
            event carries no ``tokens`` count of its own.
        smoothing: weight of the past in the smoothed train-loss curve (0 = raw).
    """

    tokens_per_step: int = 0
    smoothing: float = 0.9
    step: GrowingArray = field(default_factory=GrowingArray)
    tokens: GrowingArray = field(default_factory=GrowingArray)
    loss: GrowingArray = field(default_factory=GrowingArray)
    loss_smooth: GrowingArray = field(default_factory=GrowingArray)
    lr: GrowingArray = field(default_factory=GrowingArray)
    tokens_per_s: GrowingArray = field(default_factory=GrowingArray)
    grad_norm: GrowingArray = field(default_factory=GrowingArray)
    val_step: GrowingArray = field(default_factory=GrowingArray)
    val_tokens: GrowingArray = field(default_factory=GrowingArray)
    val_loss: GrowingArray = field(default_factory=GrowingArray)
    samples: list[tuple[int, str]] = field(default_factory=list)
    checkpoints: list[str] = field(default_factory=list)
    total_steps: int = 0
    elapsed: float = 0.0
    eta: float = math.nan
    end: dict[str, Any] | None = None
    start: dict[str, Any] | None = None
    _ema: float = field(default=0.0, repr=False)
    _ema_count: int = field(default=0, repr=False)

    def feed(self, event: dict[str, Any]) -> None:
        """Fold one event into the history (unknown kinds are kept out, not errors)."""
        kind = event.get("event")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(event)
        elapsed = _number(event, "elapsed_s", "elapsed")
        if not math.isnan(elapsed):
            self.elapsed = elapsed

    def feed_all(self, events: Iterable[dict[str, Any]]) -> RunHistory:
        for event in events:
            self.feed(event)
        return self

    @property
    def last_step(self) -> int:
        return int(self.step.last(0))

    def _tokens_at(self, event: dict[str, Any], step: float) -> float:
        tokens = _number(event, "tokens", "tokens_seen")
        if math.isnan(tokens) and self.tokens_per_step:
            tokens = step * self.tokens_per_step
        return tokens

    def _on_start(self, event: dict[str, Any]) -> None:
        self.start = event
        self.end = None  # a resumed run starts again
        resumed = _number(event, "resumed_from_step")
        if not math.isnan(resumed):
            self._rewind(int(resumed))
        total = _number(event, "total_steps", "steps", "max_steps")
        if not math.isnan(total):
            self.total_steps = int(total)
        tps = _number(event, "tokens_per_step")
        if not math.isnan(tps) and not self.tokens_per_step:
            self.tokens_per_step = int(tps)

    def _on_step(self, event: dict[str, Any]) -> None:
        step = _number(event, "step")
        if math.isnan(step):
            return
        self.step.append(step)
        self.tokens.append(self._tokens_at(event, step))
        loss = _number(event, "loss", "train_loss")
        self.loss.append(loss)
        self.loss_smooth.append(self._smooth(loss))
        self.lr.append(_number(event, "lr", "learning_rate"))
        self.tokens_per_s.append(_number(event, "tokens_per_s", "tokens_per_sec"))
        self.grad_norm.append(_number(event, "grad_norm"))
        self.eta = _number(event, "eta_s", "eta")
        total = _number(event, "total_steps", "max_steps")
        if not math.isnan(total):
            self.total_steps = int(total)
        if "val_loss" in event:  # some trainers put validation on the step line
            self._on_eval(event)

    def _rewind(self, step: int) -> None:
        """Forget what came after ``step``: a resumed run replays from its checkpoint."""
        keep = int(np.searchsorted(self.step.values, step, side="right"))
        for arr in (self.step, self.tokens, self.loss, self.loss_smooth, self.lr,
                    self.tokens_per_s, self.grad_norm):
            arr.truncate(keep)
        keep_val = int(np.searchsorted(self.val_step.values, step, side="right"))
        for arr in (self.val_step, self.val_tokens, self.val_loss):
            arr.truncate(keep_val)
        self.samples = [(s, text) for s, text in self.samples if s <= step]

    def _smooth(self, loss: float) -> float:
        """Debiased exponential moving average (as TensorBoard draws it) of the train loss."""
        if not math.isfinite(loss):
            return math.nan
        self._ema = self.smoothing * self._ema + (1.0 - self.smoothing) * loss
        self._ema_count += 1
        return self._ema / (1.0 - self.smoothing ** self._ema_count)

    def _on_eval(self, event: dict[str, Any]) -> None:
        value = _number(event, "val_loss", "loss")
        step = _number(event, "step")
        if math.isnan(value) or math.isnan(step):
            return
        self.val_step.append(step)
        self.val_tokens.append(self._tokens_at(event, step))
        self.val_loss.append(value)

    def _on_sample(self, event: dict[str, Any]) -> None:
        text = event.get("text", event.get("sample", ""))
        self.samples.append((int(_number(event, "step") if "step" in event else 0), str(text)))

    def _on_checkpoint(self, event: dict[str, Any]) -> None:
        path = event.get("path", event.get("checkpoint"))
        if isinstance(path, str):
            self.checkpoints.append(path)

    def _on_end(self, event: dict[str, Any]) -> None:
        self.end = event
        self._on_checkpoint(event)  # an end line may name the final checkpoint
