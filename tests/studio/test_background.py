"""Long actions run off the UI thread: the result arrives on the GUI thread, Cancel drops it.

The work here blocks on an event the test sets, so "the event loop kept running while the
work ran" is shown by the loop processing a queued call before the work is released, not
by timing anything.
"""

import threading

from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton
from waiting import WAIT_MS

from olm.core.errors import OLMError
from olm_studio.background import Cancelled, run_in_background, show_result


def test_work_runs_on_a_worker_and_the_result_on_the_gui_thread(window, qtbot):
    release = threading.Event()
    threads = {}
    got = []

    def work(cancel):
        threads["work"] = threading.current_thread()
        release.wait(WAIT_MS / 1000)
        return 42

    def done(value):
        threads["done"] = QThread.currentThread()
        got.append(value)

    task = run_in_background(window, "Working on it…", work, done, show_after_ms=0)
    # the GUI keeps processing events while the work is blocked
    ticked = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.findChild(QProgressDialog, "backgroundProgress") is not None,
                    timeout=WAIT_MS)
    assert got == [] and task.running
    release.set()
    qtbot.waitUntil(lambda: got == [42], timeout=WAIT_MS)
    assert threads["work"] is not threading.main_thread()
    assert threads["done"] is QApplication.instance().thread()
    assert task.state == "done"
    qtbot.waitUntil(lambda: window.findChild(QProgressDialog, "backgroundProgress") is None,
                    timeout=WAIT_MS)


def test_cancel_closes_the_dialog_and_drops_the_outcome(window, qtbot):
    release = threading.Event()
    stopped = []
    got = []

    def work(cancel):
        release.wait(WAIT_MS / 1000)
        try:
            cancel.check()
        except Cancelled:
            stopped.append(True)
            raise
        return "late"

    task = run_in_background(window, "Slow…", work, got.append, show_after_ms=0)
    qtbot.waitUntil(lambda: task.dialog is not None, timeout=WAIT_MS)
    (button,) = task.dialog.findChildren(QPushButton)
    assert button.text() == "Cancel"
    with qtbot.waitSignal(task.cancelled, timeout=WAIT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert task.state == "cancelled" and task.dialog is None
    release.set()
    assert task.join(WAIT_MS / 1000)
    QApplication.processEvents()
    assert stopped == [True] and got == []


def test_an_error_is_reported_in_one_line(window, qtbot):
    errors = []

    def work(cancel):
        raise OLMError("weights.gguf: tensor blk.0 has 3 dims, expected 2")

    task = run_in_background(window, "Opening…", work, lambda _v: None, errors.append)
    # the outcome may already have arrived (a warm worker fails at once): wait on the state,
    # not on a signal that could have been emitted before the wait began
    qtbot.waitUntil(lambda: not task.running and bool(errors), timeout=WAIT_MS)
    assert errors == ["weights.gguf: tensor blk.0 has 3 dims, expected 2"]
    assert task.state == "failed"


def test_show_result_shows_the_whole_text_without_blocking(window):
    text = "Held-out loss: 2.9128 before the edits, 3.1044 after (+0.1916)"
    box = show_result(window, "Held-out loss", text)
    assert isinstance(box, QMessageBox) and box.isVisible() and box.text() == text
    box.close()
