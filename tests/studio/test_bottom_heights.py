"""Issue 27 item 3: the bottom tabs open at a useful height, remembered per workspace.

The Code tab shows at least 20 lines at 1600x1000 by default; a height the person drags
the dock to is remembered for that tab (and workspace) and comes back, also in a new
window.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from waiting import WAIT_MS

from olm_studio.bottom_heights import CODE_LINES, DEFAULT_HEIGHTS
from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings


def _window(qtbot, studio_home, h, size=(1600, 1000)) -> MainWindow:
    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.controller.set_document(h.tiny_graph())
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    QApplication.processEvents()
    return w


def _lines_shown(w: MainWindow) -> float:
    editor = w.code.editor
    return editor.viewport().height() / editor.fontMetrics().lineSpacing()


def test_code_tab_shows_twenty_lines_at_1600x1000(qtbot, studio_home, h):
    w = _window(qtbot, studio_home, h)
    w.show_tab("Code")
    QApplication.processEvents()
    assert _lines_shown(w) >= CODE_LINES, _lines_shown(w)
    assert w.canvas.height() >= 300  # and the canvas stays usable
    w.show_tab("Diagnostics")
    QApplication.processEvents()
    assert abs(w.bottom_dock.height() - DEFAULT_HEIGHTS["Diagnostics"]) <= 4
    w.show_tab("Code")  # back: the code is readable again
    QApplication.processEvents()
    assert _lines_shown(w) >= CODE_LINES


def test_small_screens_keep_half_the_height_for_the_canvas(qtbot, studio_home, h):
    w = _window(qtbot, studio_home, h, (1280, 800))
    w.show_tab("Code")
    QApplication.processEvents()
    assert w.bottom_dock.height() <= w.height() // 2 + 4
    assert _lines_shown(w) >= 12


def test_a_dragged_height_is_remembered_for_that_tab(qtbot, studio_home, h):
    w = _window(qtbot, studio_home, h)
    w.show_tab("Summary")
    QApplication.processEvents()
    dock = w.bottom_dock
    top = dock.geometry().top()
    grip = QPoint(dock.geometry().center().x(), top - 2)
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=grip)
    for dy in (10, 40, 80):
        qtbot.mouseMove(w, grip - QPoint(0, dy))
        QApplication.processEvents()
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=grip - QPoint(0, 80))
    QApplication.processEvents()
    dragged = dock.height()
    assert dragged >= DEFAULT_HEIGHTS["Summary"] + 40, dragged
    w.show_tab("Diagnostics")
    QApplication.processEvents()
    assert dock.height() < dragged - 40
    w.show_tab("Summary")
    QApplication.processEvents()
    assert abs(dock.height() - dragged) <= 4
    assert w.settings.panel_height("design/Summary") == dragged
    again = _window(qtbot, studio_home, h)  # a new window: the same height for Summary
    again.show_tab("Summary")
    QApplication.processEvents()
    assert abs(again.bottom_dock.height() - dragged) <= 4
