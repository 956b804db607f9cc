"""The lesson started from Help while the welcome page shows (issue 24 item 7).

It must leave the welcome page for the Design workspace with its palette, and the lesson
panel must wrap its text: at no step does it need a sideways scrollbar.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication
from waiting import WAIT_MS

from olm.graph.lessons import MODERNISE_GPT2


def _panel_fits(window):
    scroll = window.lesson_dock.widget()
    panel = window.lesson
    needed = panel.minimumSizeHint().width()
    if scroll.viewport().width() < needed:  # a narrower dock width left by an earlier test
        window.resizeDocks([window.lesson_dock], [needed + 40], Qt.Orientation.Horizontal)
        QApplication.processEvents()
    return needed <= scroll.viewport().width() and scroll.horizontalScrollBar().maximum() == 0


def test_help_lesson_leaves_the_welcome_page_for_design_with_its_palette(window, qtbot):
    window.resize(1280, 800)
    window.set_workspace("train")
    window.palette_dock.hide()
    window.show_welcome()
    assert window.welcome.isVisible()
    window.findChild(QAction, "action_lesson_modernise").trigger()
    QApplication.processEvents()
    assert not window.welcome.isVisible()
    assert window.workspaces.current() == "design"
    assert window.palette_dock.isVisible()
    assert window.lesson_dock.isVisible()
    assert window.controller.graph.name.startswith("GPT2")


def test_the_lesson_panel_never_scrolls_sideways(window, qtbot):
    window.resize(1280, 800)
    window.findChild(QAction, "action_lesson_modernise").trigger()
    panel = window.lesson
    for i in range(len(MODERNISE_GPT2.steps)):
        qtbot.waitUntil(lambda: _panel_fits(window), timeout=WAIT_MS)
        qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda i=i: panel.current_step == i + 1, timeout=WAIT_MS)
    assert panel.train_button.isVisible() and panel.next_button.isVisible()
    qtbot.waitUntil(lambda: _panel_fits(window), timeout=WAIT_MS)
    # every step title is shown whole (wrapped), none cut off at the right
    steps = panel.steps
    for row in range(steps.count()):
        assert steps.visualItemRect(steps.item(row)).right() <= steps.viewport().width()
