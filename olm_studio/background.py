"""Run a long action off the UI thread, with a progress dialog, Cancel, and its whole result.

Measuring a model's loss, opening or exporting weights, building a big model: anything
that can take more than 100 ms must not freeze the window (UX.md). :func:`run_in_background`
runs ``work`` on a worker thread and hands its result (or its error) back on the GUI
thread; a progress dialog with Cancel appears if the work is still running after a moment.
Cancel stops waiting at once: the work is asked to stop (:meth:`Cancel.check` raises
between its stages) and whatever it returns afterwards is dropped, so a cancelled action
never changes the window. :func:`show_result` shows a result in full, in a dialog that does
not block the event loop (a status-bar message was cut off at the window's width).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from olm.core.errors import OLMError

__all__ = ["Cancel", "Cancelled", "Task", "run_in_background", "show_result", "SHOW_AFTER_MS"]

SHOW_AFTER_MS = 150  # the progress dialog appears only for work that is not instant


def _leave_a_core_for_the_gui() -> None:
    """Let PyTorch use one core fewer than the machine has, so the GUI thread gets one.

    With every core busy in a matrix multiply the GUI thread was starved for hundreds of
    milliseconds on a 2-core machine (and a shared 2-core machine ran the work no faster
    with two threads). Training runs in a child process and is not affected.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        wanted = max(1, (os.cpu_count() or 2) - 1)
        if torch.get_num_threads() > wanted:
            torch.set_num_threads(wanted)


# Work nobody asked for (refreshing a figure or a check after an edit) runs one piece at a
# time: each builds a whole model in Python, and three or four at once (a pre-flight, a
# Hugging Face check, a refresh, per edit) kept the GUI thread waiting for the GIL for
# hundreds of milliseconds (py-spy: ``Shiboken::GilState::acquire``). A piece cancelled
# while it waits its turn never starts.
_ONE_AT_A_TIME = threading.Lock()


class Cancelled(Exception):
    """Raised inside the work by :meth:`Cancel.check` once the user pressed Cancel."""


class Cancel:
    """The cancel flag a piece of work polls between its stages."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Ask the work to stop."""
        self._event.set()

    @property
    def is_set(self) -> bool:
        """True once Cancel was pressed."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if Cancel was pressed (call between stages)."""
        if self._event.is_set():
            raise Cancelled()


class Task(QObject):
    """One piece of work on a worker thread; its outcome arrives on the GUI thread.

    Signals:
        done(object): the work's return value.
        failed(str): the work raised; the one-line message (an ``OLMError``'s text, else
            the exception's type and text).
        cancelled(): Cancel was pressed; the work's outcome, when it comes, is dropped.
        ended(): after any of the three (the dialog is closed by then).
    """

    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()
    _finished = Signal(object, object)  # (result, error message or None), from the worker

    def __init__(self, work: Callable[[Cancel], Any], parent: QObject | None = None,
                 queued: bool = False) -> None:
        super().__init__(parent)
        self.work = work
        self.queued = queued  # waits for the other queued work (see _ONE_AT_A_TIME)
        self.token = Cancel()
        self.dialog: QProgressDialog | None = None
        self.error: str | None = None
        self.state = "pending"  # running, done, failed, cancelled
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._run, name="olm-studio-task", daemon=True)

    @property
    def running(self) -> bool:
        """True until the outcome arrived or Cancel was pressed."""
        return self.state in ("pending", "running")

    def start(self) -> Task:
        """Start the worker thread (once)."""
        if self.state == "pending":
            self.state = "running"
            self._thread.start()
        return self

    def _run(self) -> None:
        work, self.work = self.work, None  # what it holds (models, graphs) goes with it
        _leave_a_core_for_the_gui()
        try:
            if self.queued:
                with _ONE_AT_A_TIME:
                    self.token.check()  # cancelled while it waited: never started
                    result, error = work(self.token), None
            else:
                result, error = work(self.token), None
        except Cancelled:
            result, error = None, None
        except OLMError as err:
            result, error = None, str(err)
        except Exception as err:  # noqa: BLE001 - reported to the window, never lost on a thread
            traceback.print_exc()
            result, error = None, f"{type(err).__name__}: {err}"
        if shiboken6.isValid(self):
            self._finished.emit(result, error)

    def _on_finished(self, result: Any, error: str | None) -> None:
        if self.state != "running":
            return  # cancelled meanwhile: the outcome is dropped
        self._close_dialog()
        if error is None and self.token.is_set:
            self.state = "cancelled"
            self.cancelled.emit()
        elif error is None:
            self.state = "done"
            self.done.emit(result)
        else:
            self.state, self.error = "failed", error
            self.failed.emit(error)
        self.ended.emit()

    def cancel(self) -> None:
        """Cancel: ask the work to stop, close the dialog and drop the outcome."""
        if not self.running:
            return
        self.token.set()
        self.state = "cancelled"
        self._close_dialog()
        self.cancelled.emit()
        self.ended.emit()

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.canceled.disconnect()
            dialog.close()
            dialog.deleteLater()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker thread (scripts and shutdown); True when it has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()


def _show_dialog(task: Task, parent: QWidget, label: str) -> None:
    if not task.running or not shiboken6.isValid(parent):
        return
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setObjectName("backgroundProgress")
    dialog.setWindowTitle("Working…")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(task.cancel)
    task.dialog = dialog
    dialog.show()


def run_in_background(parent: QWidget, label: str, work: Callable[[Cancel], Any],
                      on_done: Callable[[Any], None],
                      on_error: Callable[[str], None] | None = None,
                      show_after_ms: int | None = SHOW_AFTER_MS) -> Task:
    """Run ``work(cancel)`` on a worker thread; call ``on_done(result)`` on the GUI thread.

    Args:
        parent: the window the progress dialog belongs to (modal to it, so no edit races
            the work; the event loop keeps running).
        label: what the dialog says ("Measuring the held-out loss…").
        work: the action; it must not touch widgets, and reads only what it was given.
        on_done: receives the result, on the GUI thread.
        on_error: receives the one-line message of an error (default: a warning dialog).
        show_after_ms: the dialog appears once the work has run this long (None: never,
            for work the person did not ask for, such as refreshing a figure after an edit;
            such work runs one piece at a time).

    Returns:
        The started :class:`Task` (``cancel()``, ``state``, ``ended`` for tests).
    """
    task = Task(work, parent, queued=show_after_ms is None)
    task.done.connect(on_done)
    task.failed.connect(on_error or (lambda message: show_result(parent, label.rstrip("…"),
                                                                 message, error=True)))
    task.start()
    if show_after_ms is not None:
        QTimer.singleShot(show_after_ms, lambda: _show_dialog(task, parent, label))
    return task


def show_result(parent: QWidget, title: str, text: str, error: bool = False) -> QMessageBox:
    """Show ``text`` whole, in a dialog that does not block the event loop."""
    box = QMessageBox(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information,
                      title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("backgroundResult")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
