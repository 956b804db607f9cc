"""Stop requests: SIGINT/SIGTERM set a flag the training loop checks between steps.

The loop then saves a checkpoint and ends with status "stopped" instead of dying
mid-step. A second signal while stopping raises ``KeyboardInterrupt`` (force quit).
"""

from __future__ import annotations

import signal
import threading

__all__ = ["StopFlag"]


class StopFlag:
    """Context manager: while active, SIGINT/SIGTERM only request a stop.

    Handlers are installed only in the main thread (Python allows nothing else) and the
    previous ones are restored on exit.
    """

    def __init__(self) -> None:
        self.requested: str | None = None
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested is not None:
            raise KeyboardInterrupt
        self.requested = signal.Signals(signum).name

    def __enter__(self) -> StopFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.getsignal(sig)
                signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
