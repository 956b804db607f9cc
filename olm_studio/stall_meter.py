"""How long the event loop stalls: a heartbeat timer that records the longest gap.

A window "freezes" when the GUI thread does not get back to its event loop: nothing
repaints, clicks queue up. A :class:`StallMeter` ticks a ``QTimer`` every few
milliseconds and records the longest time between two ticks while it runs, so the stall
of any action driven through the event loop can be read off (``benchmarks/ui_stall.py``,
the DeepSeek-V3 journey test). The target is no stall over 100 ms (UX.md).
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer

__all__ = ["StallMeter", "TARGET_MS"]

TARGET_MS = 100.0


class StallMeter(QObject):
    """Measures the longest gap between heartbeat ticks, in milliseconds.

    Args:
        interval_ms: the heartbeat period (the smallest stall it can see).
        parent: the owning object.
    """

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.longest_ms = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest_ms = max(self.longest_ms, (now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        """Begin (again) from zero."""
        self.longest_ms = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        """Stop, counting the time since the last tick; the longest gap in ms."""
        self._tick()
        self._timer.stop()
        return self.longest_ms

    def measure(self, action: Callable[[], object], until: Callable[[], bool] | None = None,
                timeout_s: float = 120.0, settle_ms: int = 50) -> float:
        """Run ``action`` from the event loop and return the longest stall in ms.

        The action is posted to the running loop (as a click would be), then events are
        processed until ``until()`` is true (background work done) or ``timeout_s``
        passes, then for ``settle_ms`` more so the repaints it caused are counted.
        """
        self.start()
        QTimer.singleShot(0, action)
        app = QCoreApplication.instance()
        deadline = time.perf_counter() + timeout_s
        ready = until or (lambda: True)
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        while not ready() and time.perf_counter() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
        settle = time.perf_counter() + settle_ms / 1000
        while time.perf_counter() < settle:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
        return self.stop()
