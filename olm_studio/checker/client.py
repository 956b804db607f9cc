"""The window's side of the check process: send a request, wait for its answer.

:func:`ask` is called on a worker thread (:func:`olm_studio.background.run_in_background`)
and blocks on a queue fed by the pipe, so the GUI thread keeps the GIL while a check runs.
One process serves the whole application, one request at a time (the callers drop answers
that a newer edit made stale). If no child can be started here, or it keeps dying, the
check is answered in this process instead: slower for the window, never wrong.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import sys
import threading
from typing import Any

from olm_studio.checker.answers import answer

__all__ = ["CheckProcess", "ask", "check_process", "server_command"]

ANSWER_TIMEOUT_S = 300.0  # a trial pre-flight may time a few steps on a busy machine
_MAX_STARTS = 3  # then answer in this process for the rest of the session


def server_command() -> list[str]:
    """How to start the check process: this Python, or in the PyInstaller bundle (no
    Python to run ``-m`` with) the bundle's executable with ``--olm-checks``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--olm-checks"]
    return [sys.executable, "-m", "olm_studio.checker.server"]


class CheckProcess:
    """One child (``python -m olm_studio.checker.server``), started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._next_id = 0
        self.starts = 0
        self.answered_here = 0  # requests answered in this process (no child available)

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (tests, diagnostics)."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def start(self) -> None:
        """Start the child now, so the first check does not wait for it to import torch."""
        threading.Thread(target=self._warm, name="olm-check-start", daemon=True).start()

    def _warm(self) -> None:
        with self._lock:
            self._ensure()

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """The answer to ``request`` (see :mod:`.answers`); blocks until it arrives."""
        with self._lock:
            for _attempt in range(2):
                if not self._ensure():
                    break
                self._next_id += 1
                message = {**request, "id": self._next_id, "cwd": os.getcwd(),
                           "env": {k: v for k, v in os.environ.items() if k.startswith("OLM_")}}
                try:
                    assert self._proc is not None and self._proc.stdin is not None
                    self._proc.stdin.write(json.dumps(message) + "\n")
                    self._proc.stdin.flush()
                    reply = self._reply(self._next_id)
                except (OSError, ValueError, EOFError):
                    self._stop()
                    continue
                if reply is None:
                    self._stop()
                    return {"error": f"the check did not answer within {ANSWER_TIMEOUT_S:.0f} s"}
                reply.pop("id", None)
                return reply
        self.answered_here += 1
        return answer(request)

    def _reply(self, wanted: int) -> dict[str, Any] | None:
        while True:
            try:
                line = self._lines.get(timeout=ANSWER_TIMEOUT_S)
            except queue.Empty:
                return None
            if line is None:
                raise EOFError("the check process ended")
            reply = json.loads(line)
            if reply.get("id") == wanted:
                return reply

    def _ensure(self) -> bool:
        """A running child that said it is ready (started if needed); False if none can run."""
        if self._proc is not None and self._proc.poll() is None:
            return True
        self._stop()
        if self.starts >= _MAX_STARTS:
            return False
        self.starts += 1
        try:
            self._proc = subprocess.Popen(
                server_command(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8", bufsize=1)
        except OSError:
            self._proc = None
            return False
        self._lines = queue.Queue()
        threading.Thread(target=_pump, args=(self._proc, self._lines),
                         name="olm-check-replies", daemon=True).start()
        try:
            ready = self._lines.get(timeout=ANSWER_TIMEOUT_S)
        except queue.Empty:
            ready = None
        if not ready or not json.loads(ready).get("ready"):
            self._stop()
            return False
        return True

    def _stop(self, grace_s: float = 2.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        """End the child (at exit: its stdin closes and it returns, or it is killed)."""
        self._stop(grace_s=0.5)


def _pump(proc: subprocess.Popen, lines: queue.Queue) -> None:
    """Move the child's reply lines into ``lines``; None once it ended."""
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            lines.put(line)
    except (OSError, ValueError):
        pass
    lines.put(None)


_PROCESS: CheckProcess | None = None
_PROCESS_LOCK = threading.Lock()


def check_process() -> CheckProcess:
    """The application's check process (one per Studio)."""
    global _PROCESS
    with _PROCESS_LOCK:
        if _PROCESS is None:
            _PROCESS = CheckProcess()
            atexit.register(_PROCESS.close)
        return _PROCESS


def ask(request: dict[str, Any]) -> dict[str, Any]:
    """:meth:`CheckProcess.ask` on the application's check process."""
    return check_process().ask(request)
