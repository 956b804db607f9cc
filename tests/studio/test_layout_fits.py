"""Issue 27 item 1: every workspace and tab fits 1280x800 and 1600x1000.

Generic widget checks, on every tab of both workspaces: no visible scroll area scrolls
sideways, no visible button or checkbox is clipped (inside its parent and at least as
wide as its text needs), and the window stays the width it was given after switching
workspaces and tabs and opening a model with long names.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QPushButton,
    QScrollArea,
    QTabBar,
    QTabWidget,
    QWidget,
)
from waiting import WAIT_MS

from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings

SIZES = [(1280, 800), (1600, 1000)]


def _visible(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _problems(window: QWidget, where: str) -> list[str]:
    """Every sideways scroll and clipped button or checkbox visible in ``window``."""
    out = []
    for area in window.findChildren(QScrollArea):
        bar = area.horizontalScrollBar()
        if _visible(area) and (bar.isVisible() or bar.maximum() > 0):
            out.append(f"{where}: {area.objectName() or type(area).__name__} scrolls sideways "
                       f"by {bar.maximum()} px")
        inner = area.widget()
        if _visible(area) and inner is not None and inner.width() > area.viewport().width():
            out.append(f"{where}: {area.objectName() or type(area).__name__} cuts its content "
                       f"({inner.width()} px in {area.viewport().width()})")
    for button in window.findChildren(QAbstractButton):
        if not _visible(button) or not isinstance(button, (QPushButton, QCheckBox)):
            continue
        if isinstance(button.parent(), QTabBar):
            continue  # the tab bar's own scroll arrows
        parent = button.parentWidget()
        inside = QRect(0, 0, parent.width(), parent.height()).contains(button.geometry())
        short = button.width() < button.sizeHint().width()
        if not inside or short:
            out.append(f"{where}: {type(button).__name__} {button.text()!r} clipped "
                       f"({button.geometry()} in {parent.width()}x{parent.height()}, "
                       f"wants {button.sizeHint().width()})")
    return out


def _tab_widgets(window: MainWindow) -> list[QTabWidget]:
    return [t for t in window.findChildren(QTabWidget) if _visible(t)]


def _every_tab(window: MainWindow, qtbot, where: str) -> list[str]:
    """Bring each tab of each visible tab widget to the front and collect problems."""
    out = []
    for tabs in _tab_widgets(window):
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            for _ in range(3):  # a dock's new height, then its scroll bars, then content
                QApplication.processEvents()
            out += _problems(window, f"{where}, tab {tabs.tabText(i)!r}")
    return out


@pytest.fixture
def make_window(qtbot, studio_home, h):
    made = []

    def make(width: int, height: int) -> MainWindow:
        w = MainWindow(settings=StudioSettings(studio_home))
        qtbot.addWidget(w)
        w.controller.set_document(h.tiny_graph())
        w.resize(width, height)
        w.show()
        qtbot.waitExposed(w, timeout=WAIT_MS)
        made.append(w)
        return w

    yield make
    for w in made:
        w.files.stop_autosave(remove=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_workspace_and_tab_fits(make_window, qtbot, size):
    width, height = size
    w = make_window(width, height)
    problems = []
    for workspace in ("design", "train", "design", "train"):
        w.set_workspace(workspace)
        QApplication.processEvents()
        problems += _every_tab(w, qtbot, f"{workspace} at {width}x{height}")
        assert w.width() <= width, f"{workspace}: the window grew to {w.width()} px"
    # two runs side by side in the Telemetry tab fit too
    w.train.views.setCurrentWidget(w.train.telemetry)
    w.train.telemetry._show_page(w.train.telemetry.compare)
    QApplication.processEvents()
    problems += _problems(w, f"two runs side by side at {width}x{height}")
    assert w.width() <= width and w.minimumSizeHint().width() <= width
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_long_names_never_widen_the_window(make_window, qtbot, tmp_path, size):
    width, height = size
    w = make_window(width, height)
    long = "SmolLM2-135M-Instruct-with-a-very-long-quantisation-name-Q4_K_M" * 3
    # what opening a GGUF shows: its name in the status bar and the run's status
    w.pretrained.label.setText(f"Weights loaded: {long}")
    w.train.status_label.setText(f"Training {long}…")
    w.train.form.data_kind.setCurrentIndex(1)
    w.train.form.data_path.edit.setText(str(tmp_path / long / "corpus.txt"))
    w.controller.graph.name = long
    w.train.set_graph(w.controller.graph)
    for workspace in ("train", "design", "train"):
        w.set_workspace(workspace)
        for tabs in _tab_widgets(w):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                assert w.minimumSizeHint().width() <= width, (workspace, tabs.tabText(i))
                assert w.width() <= width, (workspace, tabs.tabText(i), w.width())
    problems = _every_tab(w, qtbot, f"long names at {width}x{height}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_train_stop_resume_keep_their_place_when_a_run_starts(make_window, qtbot, monkeypatch):
    w = make_window(1280, 800)
    w.set_workspace("train")
    panel = w.train
    QApplication.processEvents()
    before = [b.mapTo(w, b.rect().topLeft()) for b in
              (panel.train_button, panel.stop_button, panel.resume_button)]
    # the child "starts": no process needed, the panel sees a running run
    monkeypatch.setattr(panel.runner, "start", lambda *a, **k: monkeypatch.setattr(
        panel.runner, "is_running", lambda: True))
    assert panel.start_training(), panel.problem_label.text()
    panel.status_label.setText("Training a run whose name is very long indeed " * 4)
    panel.progress_label.setText("elapsed 1:02:03 · left 10:00:00")
    QApplication.processEvents()
    after = [b.mapTo(w, b.rect().topLeft()) for b in
             (panel.train_button, panel.stop_button, panel.resume_button)]
    assert after == before
    assert panel.stop_button.isEnabled() and not panel.train_button.isEnabled()
    # the bar is outside anything that scrolls
    parent = panel.train_button.parentWidget()
    while parent is not None:
        assert not isinstance(parent, QScrollArea)
        parent = parent.parentWidget()
