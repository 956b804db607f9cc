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



def test_the_dock_widens_when_the_panel_needs_more(window, qtbot):
    """In the full suite the lesson panel once needed more width than its dock had (the
    dock kept a width an earlier test left) and was cut off at the right: whatever the
    panel's minimum becomes, the dock now gives it that width."""
    from PySide6.QtWidgets import QPushButton

    window.resize(1280, 800)
    window.show()
    window.findChild(QAction, "action_lesson_modernise").trigger()
    qtbot.waitUntil(lambda: window.lesson.isVisible(), timeout=WAIT_MS)
    before = window.lesson.minimumSizeHint().width()
    window.lesson.layout().addWidget(QPushButton("a button wider than the dock was " * 2))
    qtbot.waitUntil(lambda: window.lesson.minimumSizeHint().width() > before + 100,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _panel_fits(window), timeout=WAIT_MS)
