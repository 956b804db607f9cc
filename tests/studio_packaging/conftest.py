"""Fixtures for the packaging and first-run tests: offscreen Qt and private folders.

Settings, runs, crash reports and XDG data folders all live under the test's tmp_path.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from waiting import WAIT_MS


@pytest.fixture(autouse=True)
def studio_home(tmp_path, monkeypatch):
    """Settings and recovery files in a private folder; runs and reports in another."""
    home = tmp_path / "studio-home"
    home.mkdir()
    monkeypatch.setenv("OLM_STUDIO_HOME", str(home))
    monkeypatch.setenv("OLM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "cache"))
    return home


@pytest.fixture
def asked(monkeypatch):
    """Modal questions answer No (Discard for unsaved changes); titles are logged."""
    from PySide6.QtWidgets import QMessageBox

    log = []

    def question(parent, title, text, *args, **kwargs):
        log.append(title)
        return QMessageBox.StandardButton.Discard if "Unsaved" in title else \
            QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda parent, title, text, *a, **k: log.append(f"{title}: {text}")))
    return log


def tiny_graph():
    """A tiny GPT-2 document (built on the meta device)."""
    import torch

    from olm.graph.describe_module import from_module
    from olm.models import GPT2Model

    with torch.device("meta"):
        model = GPT2Model(vocab_size=128, embed_dim=64, num_layers=2, num_heads=4,
                          max_seq_len=32)
    return from_module(model, name="TinyGPT2")


@pytest.fixture
def make_tiny_graph():
    """The :func:`tiny_graph` factory, for tests that need a document of their own."""
    return tiny_graph


@pytest.fixture
def window(qtbot, studio_home, asked):
    """A shown main window with a tiny GPT-2 open, as ``olm-studio`` leaves it after start."""
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.controller.set_document(tiny_graph())
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    yield w
    handler = getattr(w, "crash_handler", None)
    if handler is not None:
        handler.uninstall()
    w.files.stop_autosave(remove=False)
