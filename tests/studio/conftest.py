"""Headless Qt for every Studio test, a private settings folder per test, and helpers."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import torch  # noqa: E402
from waiting import WAIT_MS


@pytest.fixture(autouse=True)
def studio_home(tmp_path, monkeypatch):
    """Keep settings, recent files, recovery files and runs of each test in its own folder."""
    home = tmp_path / "studio-home"
    home.mkdir()
    monkeypatch.setenv("OLM_STUDIO_HOME", str(home))
    # Runs of an unsaved model (and token caches) go here, never to the user's folders.
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OLM_RUNS_DIR", raising=False)
    # Help → Add to Applications Menu writes here, never to the user's menus.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return home


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    """Modal questions answer "Discard"/"No" unless a test says otherwise; calls are logged."""
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Discard if "Unsaved" in title else \
            QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda parent, title, text, *a, **k: asked.append(f"{title}: {text}")))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(
        lambda parent, title, text, *a, **k: asked.append(title)))
    return asked


# The Studio tests' model: the tiny GPT-2 of the root ``tiny`` factory, a little wider.
STUDIO_GPT2 = dict(vocab_size=128, embed_dim=64, dropout=0.1)


def tiny_graph(tiny):
    """The document of the Studio tests' tiny GPT-2 (the preset's structure, toy sizes)."""
    return tiny.graph("gpt2", name="TinyGPT2", **STUDIO_GPT2)


@pytest.fixture
def window(qtbot, studio_home, tiny):
    """A shown main window with the tiny GPT-2 document open."""
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.controller.set_document(tiny_graph(tiny))
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    yield w
    w.files.stop_autosave(remove=False)


@pytest.fixture
def small_window(qtbot, studio_home, tiny):
    """The tiny GPT-2 in a 1280×800 window that is the active one (keys reach it); a run
    started in it is stopped afterwards."""
    from PySide6.QtWidgets import QApplication
    from waiting import CHILD_S

    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.controller.set_document(tiny_graph(tiny))
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=WAIT_MS)
    yield w
    w.train.stop_and_wait(CHILD_S)
    w.files.stop_autosave(remove=False)


def find(graph, type_key, n=0):
    """The id of the ``n``-th node of ``type_key`` in tree order."""
    ids = [i for i in graph.walk() if graph.nodes[i].type == type_key]
    return ids[n]


class Helpers:
    """Shared helpers, handed to tests as the ``h`` fixture."""

    def __init__(self, tiny) -> None:  # noqa: ANN001 - the root factory
        self.tiny = tiny

    def tiny_gpt2(self):  # noqa: ANN201
        """The Studio tests' tiny GPT-2 module (on ``meta``)."""
        with torch.device("meta"):
            return self.tiny.model("gpt2", **STUDIO_GPT2)

    def tiny_graph(self):  # noqa: ANN201
        """Its document."""
        return tiny_graph(self.tiny)

    find = staticmethod(find)


@pytest.fixture
def h(tiny):
    """The :class:`Helpers`."""
    return Helpers(tiny)
