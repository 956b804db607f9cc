"""What a run has reported so far, held in growing numpy buffers the plots draw from.

`olm train` writes one typed event per line (see ``docs/events.md``), read back by the
library's one reader (``olm.train.events``). :class:`RunHistory` folds those events into
per-metric arrays, reading their typed fields and nothing else. The arrays grow by doubling, so appending
stays O(1) amortized and the plots can hand a view (``buffer[:n]``) to pyqtgraph's
``setData`` without copying thousands of points on every step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from olm.train.events import (
    CheckpointEvent,
    EndEvent,
    EvalEvent,
    Event,
    SampleEvent,
    StartEvent,
    StepEvent,
)

__all__ = ["GrowingArray", "RunHistory"]


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


def _num(value: float | int | None) -> float:
    """An event's number as a float; a missing (null) one is NaN, which plots as a gap."""
    return math.nan if value is None else float(value)


@dataclass
class RunHistory:
    """The curves and facts of one run, built by feeding it events in order.

    Args:
        smoothing: weight of the past in the smoothed train-loss curve (0 = raw).
    """

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
    tokens_per_step: int = 0
    elapsed: float = 0.0
    eta: float = math.nan
    end: EndEvent | None = None
    start: StartEvent | None = None
    _ema: float = field(default=0.0, repr=False)
    _ema_count: int = field(default=0, repr=False)

    def feed(self, event: Event) -> None:
        """Fold one event into the history (kinds it does not plot are ignored)."""
        if isinstance(event, StartEvent):
            self._on_start(event)
        elif isinstance(event, StepEvent):
            self._on_step(event)
        elif isinstance(event, EvalEvent):
            self._on_eval(event)
        elif isinstance(event, SampleEvent):
            self.samples.append((event.step, event.text))
        elif isinstance(event, CheckpointEvent):
            self.checkpoints.append(event.path)
        elif isinstance(event, EndEvent):
            self.end = event
            if event.elapsed_s is not None:
                self.elapsed = event.elapsed_s
            if event.checkpoint:  # the end event names the final checkpoint
                self.checkpoints.append(event.checkpoint)

    def feed_all(self, events: Iterable[Event]) -> RunHistory:
        for event in events:
            self.feed(event)
        return self

    @property
    def last_step(self) -> int:
        return int(self.step.last(0))

    def _on_start(self, event: StartEvent) -> None:
        self.start = event
        self.end = None  # a resumed run starts again
        self._rewind(event.resumed_from_step)
        self.total_steps = event.steps
        self.tokens_per_step = event.tokens_per_step

    def _on_step(self, event: StepEvent) -> None:
        self.step.append(event.step)
        self.tokens.append(event.tokens)
        loss = _num(event.loss)
        self.loss.append(loss)
        self.loss_smooth.append(self._smooth(loss))
        self.lr.append(_num(event.lr))
        self.tokens_per_s.append(_num(event.tokens_per_s))
        self.grad_norm.append(_num(event.grad_norm))
        self.eta = _num(event.eta_s)
        if event.elapsed_s is not None:
            self.elapsed = event.elapsed_s

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

    def _on_eval(self, event: EvalEvent) -> None:
        if event.val_loss is None:
            return
        self.val_step.append(event.step)
        self.val_tokens.append(event.step * self.tokens_per_step)
        self.val_loss.append(event.val_loss)
