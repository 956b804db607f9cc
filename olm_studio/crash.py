"""Crashes keep the work: an unhandled exception saves the model, writes a report, then asks.

When Python code in the Studio raises and nothing catches it, :class:`CrashHandler` (set
as ``sys.excepthook``) first writes, before any dialog appears:

- the recovery file (the same autosave the next start offers back), and a copy of the
  model beside the report;
- a plain-text report in ``<runs folder>/crash-reports/``: the traceback, the versions, the
  open document and the last actions the person took (menu actions and undoable edits).

Nothing is sent anywhere. Then a dialog says where both are and offers to keep working or
to quit (quitting keeps the recovery file, so the next start offers it back).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections import deque
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["ActionLog", "CrashHandler", "install_crash_handler", "write_report"]

CRASH_EXIT_CODE = 70  # EX_SOFTWARE


class ActionLog:
    """The last ``size`` things the person did: triggered actions and undoable edits."""

    def __init__(self, size: int = 40) -> None:
        self.entries: deque[str] = deque(maxlen=size)

    def record(self, text: str) -> None:
        """Remember ``text`` with the time it happened."""
        self.entries.append(f"{time.strftime('%H:%M:%S')}  {text}")

    def attach(self, window: MainWindow) -> None:
        """Record every QAction of ``window`` when triggered, and every edit pushed or undone."""
        for action in window.findChildren(QAction):
            text = action.text().replace("&", "")
            if text:
                action.triggered.connect(lambda *_a, t=text: self.record(f"action: {t}"))
        stack = window.controller.undo_stack
        last = {"index": stack.index()}

        def on_index(index: int) -> None:
            try:
                if index > last["index"]:
                    self.record(f"edit: {stack.text(index - 1)}")
                elif index < last["index"]:
                    self.record(f"undo: {stack.text(index)}")
            except RuntimeError:  # the stack is being destroyed as the app exits
                return
            last["index"] = index

        stack.indexChanged.connect(on_index)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(folder: Path, exc: BaseException, tb: TracebackType | None,
                 document: str, actions: list[str], saved: list[Path]) -> Path:
    """Write a crash report into ``folder``; returns its path.

    Args:
        folder: where reports go (created if needed).
        exc: the unhandled exception; tb its traceback.
        document: one line naming the open document.
        actions: the last actions, oldest first.
        saved: the files the model was saved to.
    """
    from olm_studio.versions import versions_text

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    lines = [
        "OLM Studio crash report (written on this computer only; nothing was sent anywhere)",
        f"time: {datetime.now().isoformat(timespec='seconds')}",
        "",
        "== what happened",
        "".join(traceback.format_exception(type(exc), exc, tb)).rstrip(),
        "",
        "== versions",
        versions_text(),
        "",
        "== document",
        document,
        *(f"saved to: {p}" for p in saved),
        "",
        "== last actions (oldest first)",
        *(actions or ["(none recorded)"]),
        "",
    ]
    path = folder / f"crash-{stamp}-{os.getpid()}.txt"
    _atomic_write(path, "\n".join(lines))
    return path


class CrashHandler:
    """``sys.excepthook`` for the Studio: save, report, then ask.

    Args:
        window: the main window whose document is saved.
        log: the action log whose entries go into the report.
        ask: show the dialog (False in screenshot mode: print and exit instead).
    """

    def __init__(self, window: MainWindow, log: ActionLog, ask: bool = True) -> None:
        self.window = window
        self.log = log
        self.ask = ask
        self.last_report: Path | None = None
        self._busy = False
        self._previous = sys.excepthook

    def install(self) -> None:
        """Become ``sys.excepthook`` (Qt's slots report their exceptions through it)."""
        sys.excepthook = self

    def uninstall(self) -> None:
        """Put the previous hook back."""
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def save_work(self, folder: Path, stem: str) -> list[Path]:
        """Write the document to the recovery file and beside the report; the files written."""
        from olm.graph.project import save

        w = self.window
        saved = []
        if w.controller.dirty:
            w.files.autosave()
            if w.settings.recovery_path.exists():
                saved.append(w.settings.recovery_path)
        try:
            copy = folder / f"{stem}.olm.json"
            folder.mkdir(parents=True, exist_ok=True)
            save(w.controller.graph, copy)
            saved.append(copy)
        except Exception:  # noqa: BLE001 - the report must still be written
            pass
        return saved

    def __call__(self, exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt) or self._busy:
            self._previous(exc_type, exc, tb)
            return
        self._busy = True
        try:
            self._handle(exc, tb)
        except Exception:  # noqa: BLE001 - e.g. the window is half torn down: plain report
            self._previous(exc_type, exc, tb)
        finally:
            self._busy = False

    def _handle(self, exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        w = self.window
        folder = w.settings.effective_runs_folder() / "crash-reports"
        stem = f"crash-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-model"
        saved: list[Path] = []
        try:
            saved = self.save_work(folder, stem)
        except Exception as err:  # noqa: BLE001
            print(f"olm-studio: could not save the model after the error: {err}",
                  file=sys.stderr)
        c = w.controller
        document = (f"{c.graph.name} ({c.path or 'never saved'}); "
                    f"{'unsaved edits' if c.dirty else 'no unsaved edits'}")
        try:
            self.last_report = write_report(folder, exc, tb, document, list(self.log.entries),
                                            saved)
        except OSError as err:
            print(f"olm-studio: could not write the crash report: {err}", file=sys.stderr)
            self.last_report = None
        print(f"olm-studio: crash report: {self.last_report}", file=sys.stderr)
        if not self.ask:
            return
        where = [f"<li>report: <code>{self.last_report}</code></li>"] if self.last_report else []
        where += [f"<li>model: <code>{p}</code></li>" for p in saved]
        box = QMessageBox(QMessageBox.Icon.Critical, "OLM Studio hit an error",
                          f"<p>Something went wrong: <b>{type(exc).__name__}: {exc}</b></p>"
                          f"<p>Your work was saved before this message appeared:</p>"
                          f"<ul>{''.join(where)}</ul><p>Nothing was sent anywhere. You can "
                          "keep working, or quit; the next start offers the unsaved model "
                          "back.</p>", parent=w)
        box.setObjectName("crashDialog")
        keep = box.addButton("Keep Working", QMessageBox.ButtonRole.AcceptRole)
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is quit_button:
            # exit() without closing windows: a clean close would delete the recovery file.
            w.files.autosave_timer.stop()
            QApplication.exit(CRASH_EXIT_CODE)


def install_crash_handler(window: MainWindow, ask: bool = True) -> CrashHandler:
    """Record the window's actions and handle unhandled exceptions; returns the handler."""
    log = ActionLog()
    log.attach(window)
    handler = CrashHandler(window, log, ask=ask)
    handler.install()
    app = QApplication.instance()
    if app is not None:  # while Qt tears the window down, Python's own hook is enough
        app.aboutToQuit.connect(handler.uninstall)
    return handler
