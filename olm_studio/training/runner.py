"""The training child process: `olm train` in a QProcess, its events as Qt signals.

Training never runs in the editor's process. The child writes JSON-lines events to its
stdout (``events: "-"``); Qt tells us when bytes arrive, we read whole lines only, parse
each with the library's one reader (``olm.train.events.parse_event_line``) into a typed
event, append the line to the run's ``events.jsonl`` and emit the event. Nothing here waits on the child, so the
editor stays responsive, and whatever the child does (a crash, ``kill -9``) ends in one
:attr:`TrainProcess.ended` signal with a status and a reason.
"""

from __future__ import annotations

import signal
import sys
from collections import deque
from pathlib import Path
from typing import IO

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from olm.core.errors import FileFormatError
from olm.train.events import EndEvent, parse_event_line

__all__ = ["TrainProcess", "child_environment", "failure_reason", "olm_command"]


def olm_command() -> list[str]:
    """How to run the `olm` command line: this Python, so the child sees the same install.

    In the PyInstaller bundle there is no Python to run ``-m`` with: the bundle's executable
    runs the command line itself when its first argument is ``--olm``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, "--olm"]
    return [sys.executable, "-m", "olm"]


def child_environment() -> QProcessEnvironment:
    env = QProcessEnvironment.systemEnvironment()
    # Events must arrive line by line, not when a pipe buffer of 8 KB fills up.
    env.insert("PYTHONUNBUFFERED", "1")
    env.insert("PYTHONIOENCODING", "utf-8")
    return env


def failure_reason(stderr_tail: list[str], exit_code: int, crashed: bool) -> str:
    """One sentence saying why a child ended without a final status.

    The child's own last error line is the most useful reason (``olm train: error: ...``);
    a Python traceback's last line names the exception; failing both, the exit itself.
    """
    lines = [line.strip() for line in stderr_tail if line.strip()]
    for line in reversed(lines):
        if ": error:" in line or "Error" in line.split(":", 1)[0]:
            return line
    if crashed:
        name = ""
        if 0 < exit_code < 64:
            try:
                name = f" ({signal.Signals(exit_code).name})"
            except ValueError:
                name = ""
        return f"the training process was killed or crashed{name}"
    if lines:
        return lines[-1]
    return f"the training process exited with code {exit_code} without a final status"


class TrainProcess(QObject):
    """One `olm train` child.

    Signals:
        event(object): each event (an ``olm.train.events.Event``), in order, as soon as
            its line is complete.
        ended(str, str): the final status ("finished", "stopped" or "failed") and a reason.

    Args:
        command: the program and leading arguments (default: this Python ``-m olm``).
        parent: the owning QObject.
    """

    event = Signal(object)
    ended = Signal(str, str)

    def __init__(self, command: list[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._command = command or olm_command()
        self._process = QProcess(self)
        self._process.setProcessEnvironment(child_environment())
        self._process.readyReadStandardOutput.connect(self._read_stdout)
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)
        self._events_file: IO[str] | None = None
        self._stderr_file: IO[str] | None = None
        self._stderr_tail: deque[str] = deque(maxlen=40)
        self._stderr_partial = ""
        self._end_event: EndEvent | None = None
        self._stop_requested = False
        self._done = True

    # -- control ---------------------------------------------------------------------
    def start(self, args: list[str], events_path: Path, stderr_path: Path,
              workdir: Path | None = None) -> None:
        """Start the child with ``args`` after the command; events append to ``events_path``."""
        if self.is_running():
            raise RuntimeError("a training process is already running")
        self._events_file = open(events_path, "a", encoding="utf-8")  # noqa: SIM115
        self._stderr_file = open(stderr_path, "a", encoding="utf-8")  # noqa: SIM115
        self._stderr_tail.clear()
        self._stderr_partial = ""
        self._end_event = None
        self._stop_requested = False
        self._done = False
        if workdir is not None:
            self._process.setWorkingDirectory(str(workdir))
        self._process.start(self._command[0], self._command[1:] + list(args))

    def stop(self) -> None:
        """Ask the child to save a checkpoint and end ("stopped"): SIGTERM, never a kill."""
        # Once only: a second SIGTERM could land while the child is writing its checkpoint.
        if self.is_running() and not self._stop_requested:
            self._stop_requested = True
            self._process.terminate()

    def kill(self) -> None:
        """End the child at once (no checkpoint); the run will read as failed."""
        if self.is_running():
            self._process.kill()

    def is_running(self) -> bool:
        return not self._done

    def pid(self) -> int:
        return int(self._process.processId())

    def wait(self, timeout_ms: int) -> bool:
        """Block up to ``timeout_ms`` for the child to end (used only when closing)."""
        if self._done:
            return True
        self._process.waitForFinished(timeout_ms)
        return self._done

    # -- reading ---------------------------------------------------------------------
    def _read_stdout(self) -> None:
        while self._process.canReadLine():
            self._handle_line(bytes(self._process.readLine().data()))

    def _handle_line(self, raw: bytes) -> None:
        try:
            event = parse_event_line(raw)
        except FileFormatError as err:  # a newer olm's events: say so, once per line
            self._stderr_tail.append(f"olm studio: error: {err}")
            return
        if event is None:
            return
        if self._events_file is not None:
            self._events_file.write(raw.decode("utf-8", errors="replace").rstrip("\n") + "\n")
            self._events_file.flush()
        if isinstance(event, EndEvent):
            self._end_event = event
        self.event.emit(event)

    def _read_stderr(self) -> None:
        text = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        if self._stderr_file is not None:
            self._stderr_file.write(text)
            self._stderr_file.flush()
        lines = (self._stderr_partial + text).split("\n")
        self._stderr_partial = lines.pop()
        self._stderr_tail.extend(lines)

    # -- ending ----------------------------------------------------------------------
    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        rest = bytes(self._process.readAllStandardOutput().data())
        if rest.strip():
            self._handle_line(rest)
        self._read_stderr()
        if self._stderr_partial:
            self._stderr_tail.append(self._stderr_partial)
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        self._finish(*self._status(exit_code, crashed))

    def _status(self, exit_code: int, crashed: bool) -> tuple[str, str]:
        # The end line is written after the last checkpoint, so it is the truth even if
        # the process was torn down afterwards.
        if self._end_event is not None:
            status = self._end_event.status
            reason = self._end_event.reason or ""
            if status in ("finished", "stopped", "failed"):
                return status, reason
        if self._stop_requested:  # stopped before the trainer could take the signal
            return "stopped", "stopped before a checkpoint was saved"
        if crashed or exit_code != 0:
            return "failed", failure_reason(list(self._stderr_tail), exit_code, crashed)
        return "failed", "the training process ended without reporting a final status"

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._finish("failed", f"could not start {self._command[0]}: "
                                   f"{self._process.errorString()}")

    def _finish(self, status: str, reason: str) -> None:
        if self._done:
            return
        self._done = True
        for handle in (self._events_file, self._stderr_file):
            if handle is not None:
                handle.close()
        self._events_file = self._stderr_file = None
        self.ended.emit(status, reason)
