"""The welcome page: shown at start without a file, dismissed by its actions, lists recents."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from waiting import WAIT_MS

from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings


def _start(qtbot, home, welcome=True):
    w = MainWindow(settings=StudioSettings(home))
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.open_initial(None)  # as olm-studio without FILE: GPT-2 behind the page
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    w.start_session(welcome=welcome)
    return w


def _cleanup(w):
    w.crash_handler.uninstall()
    w.files.stop_autosave(remove=False)


def test_start_without_file_shows_welcome_over_gpt2_and_start_button_dismisses(
        qtbot, studio_home, asked):
    w = _start(qtbot, studio_home)
    try:
        page = w.welcome
        assert page.isVisible()
        assert w.controller.graph.name.startswith("GPT2")  # loaded behind the page
        # the page covers the canvas and the panels, below the toolbar
        assert page.geometry().contains(w.canvas.geometry().center())
        assert page.geometry().top() >= w.menuBar().geometry().bottom()
        w.canvas.edits.rename_model("Edited")
        qtbot.mouseClick(page.buttons["gpt2"], Qt.MouseButton.LeftButton)
        assert not page.isVisible()
        assert w.controller.graph.name == "GPT2" and not w.controller.dirty
        assert "Unsaved changes" in asked  # the edit was not dropped silently
    finally:
        _cleanup(w)


def test_lesson_and_pretrained_buttons_follow_the_windows_actions(qtbot, studio_home, asked):
    w = _start(qtbot, studio_home, welcome=False)
    try:
        w.show_welcome()
        page = w.welcome
        # The window has both actions (Help → Modernise GPT-2, File → Open Pretrained…).
        assert page.buttons["lesson"].isVisible()
        assert page.buttons["pretrained"].isVisible()
        fired = []
        lesson = w.findChild(QAction, "action_lesson_modernise")
        lesson.triggered.connect(lambda: fired.append("lesson"))
        qtbot.mouseClick(page.buttons["lesson"], Qt.MouseButton.LeftButton)
        assert fired == ["lesson"] and not page.isVisible()
        assert w.lesson_dock.isVisible()
    finally:
        _cleanup(w)


def test_recent_projects_open_and_presets_open(qtbot, studio_home, tmp_path, asked,
                                               make_tiny_graph):
    from olm.graph.project import save

    project = tmp_path / "tiny.olm.json"
    save(make_tiny_graph(), project)
    StudioSettings(studio_home).add_recent(project)
    w = _start(qtbot, studio_home)
    try:
        page = w.welcome
        assert page.recent.count() == 1 and not page.no_recent.isVisible()
        item = page.recent.item(0)
        rect = page.recent.visualItemRect(item)
        qtbot.mouseClick(page.recent.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.recent.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
        assert w.controller.path == project and not page.isVisible()

        w.show_welcome()
        names = [page.presets.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(page.presets.count())]
        assert "GPT2" in names and "Llama3_1_8B" in names
        page.presets.setCurrentRow(names.index("Llama3_1_8B"))
        page.presets.setFocus()
        qtbot.keyClick(page.presets, Qt.Key.Key_Return)
        assert w.controller.graph.name.startswith("Llama3")
        assert not page.isVisible()
    finally:
        _cleanup(w)


def test_escape_dismisses_and_show_at_start_is_remembered(qtbot, studio_home, asked):
    w = _start(qtbot, studio_home)
    try:
        page = w.welcome
        page.show_at_start.click()
        assert StudioSettings(studio_home).show_welcome is False
        qtbot.keyClick(page, Qt.Key.Key_Escape)
        assert not page.isVisible()
        # View → Welcome Page brings it back
        w.actions_by_key["welcome"].trigger()
        assert page.isVisible()
    finally:
        _cleanup(w)


def test_app_main_shows_welcome_only_without_file(qtbot, studio_home, monkeypatch, tmp_path):
    """--screenshot (used by the docs and tests) keeps the old start; --welcome asks for it."""
    from olm_studio import app

    shots = {}

    def fake_shot(qapp, window, path, size):
        shots[path.name] = not window.welcome.isHidden() if getattr(window, "welcome", None) \
            else False
        window.crash_handler.uninstall()
        window.discard_session()
        window.close()
        return 0

    monkeypatch.setattr(app, "_screenshot", fake_shot)
    assert app.main(["--screenshot", str(tmp_path / "plain.png")]) == 0
    assert app.main(["--screenshot", str(tmp_path / "welcome.png"), "--welcome"]) == 0
    assert shots == {"plain.png": False, "welcome.png": True}
