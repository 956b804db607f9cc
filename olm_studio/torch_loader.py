"""PyTorch loads in the background while the user already looks at the model.

``import torch`` alone takes longer than the whole window needs to appear, and nothing in
the first paint needs it: the default document, its figures and diagnostics come from
shipped data (:mod:`olm.graph.shipped`). :class:`TorchLoader` imports torch and the
library's building code on a worker thread once the window is up; what needs torch (the
summary, training checks, measuring an edited part) asks :meth:`TorchLoader.when_ready`
to run it later and says "Loading PyTorch…" meanwhile, or waits (:meth:`TorchLoader.wait`).

Only the application defers torch (:meth:`TorchLoader.defer`, before it builds the
window) and starts the background load (:func:`start_in_background`, once the window is
shown; a ``--screenshot`` run never needs it). Otherwise :attr:`TorchLoader.is_ready` is
True and whatever needs torch imports it inline, as in scripts and tests.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
import threading
from typing import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

__all__ = ["LOADING_TEXT", "TorchLoader", "start_in_background", "torch_loader"]

LOADING_TEXT = "Loading PyTorch…"
_EXIT_WAIT_S = 60.0  # how long quitting waits for a load under way (torch imports in seconds)

# What building, measuring and training need, imported in this order on the worker.
_MODULES = ("torch", "olm.nn", "olm.graph.to_module", "olm.graph.meta", "olm.graph.describe_module")


def _warm_meta_init() -> None:
    """Initialise one parameter on ``meta`` so its lazy imports happen here, not on the GUI.

    The first random init on the meta device imports ``torch._dynamo`` (about 4 s on a
    loaded 2-core machine); without this the first preset opened after PyTorch loaded
    froze the window for that long while its leaves were measured.
    """
    import torch

    with torch.device("meta"):
        torch.nn.Embedding(2, 2)
    _WARMED.set()


_WARMED = threading.Event()


def _keep_out_of_collections(enable: bool) -> None:
    """Move every object alive now (PyTorch, Qt, the library: about 170,000 of them)
    to the collector's permanent generation, then let it collect again if it did before.

    A full collection visits every tracked object; with torch loaded each took 240–320 ms
    on the GUI thread (``benchmarks/ui_stall.py`` caught one in "switch to Design" and one
    in a node click). These objects live as long as the app, so the collector need never
    visit them; objects made later are collected as usual, and a frozen object whose
    last reference goes is still freed.
    """
    gc.freeze()
    if enable:
        gc.enable()


class TorchLoader(QObject):
    """Imports torch on a worker thread; ``ready`` is emitted on the GUI thread after.

    Signals:
        ready(): torch and the building code are importable without waiting.
        failed(str): the import failed (the message says why).
    """

    ready = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._done = threading.Event()
        self._done.set()  # nothing in flight: torch, when needed, is imported inline
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self._waiting: list[Callable[[], None]] = []
        self.ready.connect(self._run_waiting)
        self.failed.connect(lambda _message: self._run_waiting())

    @property
    def is_ready(self) -> bool:
        """False only while a background load is in flight."""
        return self._done.is_set()

    @property
    def loaded(self) -> bool:
        """True when torch has been imported (by anyone)."""
        return "torch" in sys.modules

    def defer(self) -> None:
        """From now on, what needs torch waits for :meth:`start` (unless it is loaded)."""
        if self._thread is None and not self.loaded:
            self._done.clear()

    def release(self) -> None:
        """Stop deferring without loading (a ``--screenshot`` run ends here)."""
        if self._thread is None:
            self._waiting.clear()
            self._done.set()

    def start(self) -> None:
        """Begin loading on a daemon thread (a no-op once started)."""
        if self._thread is not None:
            return
        if self.loaded and _WARMED.is_set():
            self._finish()  # the rest imports inline in no time
            return
        self._done.clear()
        self._thread = threading.Thread(target=self._load, name="olm-torch-loader", daemon=True)
        self._thread.start()
        atexit.register(self._join_at_exit)

    def _join_at_exit(self) -> None:
        """Let a load still under way finish before the interpreter shuts down: a daemon
        thread inside torch's C++ import when finalisation takes the GIL away ends the
        process with "terminate called without an active exception" (SIGABRT), e.g. when
        the Studio quits within seconds of starting."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout=_EXIT_WAIT_S)

    def _load(self) -> None:
        collecting = gc.isenabled()
        gc.disable()  # importing torch made full collections of ~200 ms, each a GUI stall
        try:
            for name in _MODULES:
                importlib.import_module(name)
            from olm.graph.catalog import live_catalog

            live_catalog()
            _warm_meta_init()
        except Exception as err:  # noqa: BLE001 - reported to the UI, never raised on a thread
            self.error = f"PyTorch could not be loaded: {err}"
        finally:
            _keep_out_of_collections(collecting)
        self._finish()

    def _finish(self) -> None:
        self._done.set()
        if not shiboken6.isValid(self):  # the app quit while loading: nobody to tell
            return
        if self.error is None:
            self.ready.emit()  # queued to the GUI thread: this object lives there
        else:
            self.failed.emit(self.error)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until torch is loaded (starting a deferred load); True when it is."""
        if not self._done.is_set():
            self.start()
        return self._done.wait(timeout)

    def when_ready(self, callback: Callable[[], None]) -> bool:
        """Run ``callback`` now if torch is loaded (True), else once it is (False).

        A callback already waiting is not added twice; a method of a widget that is gone
        by then (its window was closed) is skipped.
        """
        if self._done.is_set():
            callback()
            return True
        if callback not in self._waiting:
            self._waiting.append(callback)
        return False

    def _run_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            owner = getattr(callback, "__self__", None)
            if isinstance(owner, QObject) and not shiboken6.isValid(owner):
                continue  # its widget was closed while torch loaded
            callback()


_LOADER: TorchLoader | None = None


def torch_loader() -> TorchLoader:
    """The application's one loader (created on first use, on the GUI thread)."""
    global _LOADER
    if _LOADER is None:
        _LOADER = TorchLoader()
    return _LOADER


def start_in_background(window: QMainWindow) -> TorchLoader:
    """Start loading right after the window's first paint; say so in its status bar."""
    loader = torch_loader()
    if loader.loaded:
        return loader
    bar = window.statusBar()
    bar.showMessage(LOADING_TEXT)

    def done(message: str = "") -> None:
        if bar.currentMessage() == LOADING_TEXT:
            bar.showMessage(message or "PyTorch loaded", 0 if message else 3000)

    loader.ready.connect(done)
    loader.failed.connect(done)
    # After the events show() posted (the first paint): the import holds the GIL in long
    # stretches, so it starts once the window is on screen, then runs beside the GUI.
    QTimer.singleShot(0, loader.start)
    return loader
