"""The main window: first start, docks restored, themes, status line, screenshot mode."""

import torch
from PySide6.QtWidgets import QApplication

from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings


def _count(module):
    return sum(p.numel() for p in module.parameters())


def test_first_start_opens_gpt2_with_hint(qtbot, studio_home):
    from olm.models import GPT2

    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.open_initial(None)
    w.show()
    assert w.controller.graph.name == "GPT2"
    assert w.hint.visible()
    assert "RMSNorm" in w.hint.text()
    with torch.device("meta"):
        expected = _count(GPT2())
    assert w.controller.figures.counts[w.controller.graph.root] == expected
    assert f"{round(expected / 1e6)}M params" in w.figure_line.text()
    assert "valid" in w.figure_line.text()
    # the second start does not show the card again
    w2 = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w2)
    w2.open_initial(None)
    assert not w2.hint.visible()


def test_dock_layout_is_restored_on_next_start(qtbot, studio_home):
    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.show()
    assert w.palette_dock.isVisible()
    w.palette_dock.hide()
    w.close()
    w2 = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w2)
    w2.show()
    assert not w2.palette_dock.isVisible()
    assert w2.inspector_dock.isVisible()
    tabs = [w2.tabs.tabText(i) for i in range(w2.tabs.count())]
    # Issue 12 item 7: Train left the bottom tabs for a workspace of its own.
    assert tabs == ["Diagnostics", "Code", "Summary"]
    assert w2.workspaces.widget(1) is w2.train


def test_menus_cover_the_issue(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Model", "Train", "Help"]
    keys = window.actions_by_key
    assert keys["undo"].shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Y" in [s.toString() for s in keys["redo"].shortcuts()]
    assert "Ctrl+Shift+Z" in [s.toString() for s in keys["redo"].shortcuts()]
    assert keys["fit"].shortcut().toString() == "F"


def test_theme_switch_restyles_and_is_remembered(window, studio_home):
    window.set_theme("light")
    app = QApplication.instance()
    assert "#f0f1f4" in app.styleSheet()
    assert window.canvas.scene.colors.background == "#f4f5f7"
    assert StudioSettings(studio_home).theme == "light"
    window.set_theme("dark")
    assert "#262a31" in app.styleSheet()


def test_status_line_follows_edits(window, h):
    graph = window.controller.graph
    before = window.controller.figures.counts[graph.root]
    window.canvas.edits.set_variable("embed_dim", 32)
    after = window.controller.figures.counts[graph.root]
    assert after < before
    from olm.graph.to_module import build

    assert after == _count(build(graph, device="meta"))
    assert window.figure_line.delta_label.text().startswith("−")


def test_screenshot_mode_writes_png(qtbot, tmp_path):
    from olm_studio.app import main

    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out), "--size", "1400x900", "GPT2"]) == 0
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)


def test_bad_file_argument_is_reported_not_raised(qtbot, studio_home, no_blocking_dialogs):
    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.open_initial("NoSuchPreset")
    assert any("NoSuchPreset" in m for m in no_blocking_dialogs)
    assert w.controller.graph.name == "GPT2"


def test_closing_during_a_run_asks_and_can_keep_the_window(window, monkeypatch, tmp_path):
    asked = []

    def confirm_close(ask=True):
        asked.append(ask)
        return False  # the user pressed Cancel: keep the run and the window

    monkeypatch.setattr(window.train, "confirm_close", confirm_close)
    window.close()
    assert asked == [True] and window.isVisible()
    monkeypatch.setattr(window.train, "confirm_close", lambda ask=True: True)
    window.close()
    assert not window.isVisible()


def test_runs_are_kept_beside_the_saved_project(window, tmp_path):
    project = tmp_path / "mine.olm.json"
    assert window.files.save_to(project)
    assert window.train.runs_root() == tmp_path / "mine.runs"
