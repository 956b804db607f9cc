"""A window before torch: the default model shows without importing torch, torch loads in
the background, and what needs it waits visibly ("Loading PyTorch…") and then runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import shiboken6
from waiting import CHILD_S, WAIT_MS

ROOT = Path(__file__).resolve().parents[2]


def test_the_screenshot_of_the_default_model_needs_no_torch(tmp_path):
    shot = tmp_path / "shot.png"
    code = (
        "import sys, json\n"
        "from olm_studio.app import main\n"
        f"rc = main(['--screenshot', {str(shot)!r}])\n"
        "print(json.dumps([rc, sorted(m for m in sys.modules if m == 'torch' or m.startswith('olm.nn'))]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "OLM_STUDIO_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=CHILD_S)
    assert out.returncode == 0, out.stderr
    rc, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert rc == 0 and loaded == []
    assert shot.stat().st_size > 10_000  # a real 1600x1000 picture of the window


class _Deferred:
    """A loader that behaves as in a fresh process, where torch is not imported yet."""

    @staticmethod
    def make():
        from olm_studio.torch_loader import TorchLoader

        class Loader(TorchLoader):
            loaded = False  # type: ignore[assignment]

        return Loader()


@pytest.fixture
def deferred(monkeypatch):
    import olm_studio.torch_loader as module

    loader = _Deferred.make()
    monkeypatch.setattr(module, "_LOADER", loader)
    loader.defer()
    assert not loader.is_ready
    return loader


def test_the_summary_waits_visibly_for_torch_then_appears(window, deferred, qtbot):
    from olm_studio.torch_loader import LOADING_TEXT

    window.show_tab("Summary")
    assert window.summary.text.toPlainText().startswith(LOADING_TEXT)
    assert window.summary.note.text() == LOADING_TEXT
    with qtbot.waitSignal(deferred.ready, timeout=WAIT_MS):
        deferred.start()
    assert "Total params:" in window.summary.text.toPlainText()
    assert deferred.is_ready and deferred.error is None


def test_training_waits_for_torch_with_the_train_button_off(qtbot, deferred):
    pytest.importorskip("pyqtgraph")
    from olm_studio.torch_loader import LOADING_TEXT
    from olm_studio.training.panel import TrainPanel

    panel = TrainPanel()
    qtbot.addWidget(panel)
    assert panel.problem_label.text() == LOADING_TEXT
    assert not panel.train_button.isEnabled()
    with qtbot.waitSignal(deferred.ready, timeout=WAIT_MS):
        deferred.start()
    assert panel.problem_label.text() != LOADING_TEXT


def test_the_status_bar_says_torch_is_loading_until_it_has(window, qtbot, monkeypatch):
    import olm_studio.torch_loader as module

    loader = _Deferred.make()
    monkeypatch.setattr(module, "_LOADER", loader)
    window.statusBar().clearMessage()
    with qtbot.waitSignal(loader.ready, timeout=WAIT_MS):
        assert module.start_in_background(window) is loader
        shown = window.statusBar().currentMessage()  # before the GUI thread sees "ready"
    assert shown == module.LOADING_TEXT
    assert window.statusBar().currentMessage() != module.LOADING_TEXT


def test_an_undeferred_loader_runs_work_at_once():
    from olm_studio.torch_loader import TorchLoader

    loader = TorchLoader()
    ran = []
    assert loader.is_ready and loader.when_ready(lambda: ran.append(1)) and ran == [1]


def test_work_of_a_window_closed_while_torch_loaded_is_skipped(qtbot, deferred):
    from PySide6.QtWidgets import QLabel

    ran = []

    class Closed(QLabel):
        def refresh(self) -> None:
            ran.append("closed")
            self.setText("refreshed")  # would raise: its C++ side is gone

    gone, kept = Closed(), QLabel()
    assert not deferred.when_ready(gone.refresh)
    assert not deferred.when_ready(lambda: ran.append("kept") or kept.setText("refreshed"))
    shiboken6.delete(gone)
    with qtbot.waitSignal(deferred.ready, timeout=WAIT_MS):
        deferred.start()
    assert ran == ["kept"] and kept.text() == "refreshed"


def test_what_loads_with_torch_is_kept_out_of_full_collections(qtbot, deferred):
    """A full collection visited every object torch brought (240–320 ms each on the GUI
    thread): once loaded, they are in the permanent generation and collection is back on."""
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with qtbot.waitSignal(deferred.ready, timeout=WAIT_MS):
            deferred.start()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 100_000  # torch's modules, functions, tensors' types
        made_later = [[i] for i in range(10)]
        made_later.append(made_later)  # a cycle made after the load is still collected
        del made_later
        assert gc.collect() > 0
    finally:
        gc.unfreeze()
