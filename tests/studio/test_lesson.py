"""The "Modernise GPT-2" lesson, completed through the real widgets (menus, canvas commands)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from waiting import WAIT_MS

from olm.graph.lessons import MODERNISE_GPT2


def _lesson_action(window, name):
    return window.findChild(QAction, name)


def test_lesson_is_started_from_the_help_menu_and_completed_by_edits(qtbot, window):
    action = _lesson_action(window, "action_lesson_modernise")
    assert action is not None and action.text().startswith("&Modernise GPT-2")
    action.trigger()
    panel = window.lesson
    assert window.lesson_dock.isVisible()
    assert window.controller.graph.name.startswith("GPT2")
    assert panel.current_step == 0
    assert "AbsolutePositionalEmbedding" in panel.instruction.text()
    for i, step in enumerate(MODERNISE_GPT2.steps):
        assert panel.current_step == i
        # the user's edit, as the canvas would make it: one undoable command
        from olm.graph.commands import Macro

        window.controller.run(Macro(step.title, step.show(window.controller.graph)))
        qtbot.waitUntil(lambda i=i: panel.current_step == i + 1, timeout=WAIT_MS)
        assert step.title in panel.explanation.text()
        assert "→" in panel.change.text()  # figures before and after
    assert panel.train_button.isVisible() and panel.next_button.isVisible()
    # undo steps back
    window.controller.undo_stack.undo()
    qtbot.waitUntil(lambda: panel.current_step == len(MODERNISE_GPT2.steps) - 1, timeout=WAIT_MS)
    assert panel.show_button.isEnabled()


def test_show_me_makes_the_step_as_one_undoable_edit(qtbot, window):
    _lesson_action(window, "action_lesson_modernise").trigger()
    panel = window.lesson
    depth = window.controller.undo_stack.count()
    qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.current_step == 1, timeout=WAIT_MS)
    assert window.controller.undo_stack.count() == depth + 1
    assert "Parameters" in panel.change.text()
    window.controller.undo_stack.undo()
    qtbot.waitUntil(lambda: panel.current_step == 0, timeout=WAIT_MS)


def test_second_part_starts_from_llama(qtbot, window):
    _lesson_action(window, "action_lesson_beyond").trigger()
    assert window.lesson.lesson.key == "beyond-llama"
    assert window.controller.graph.name.startswith("Llama3")
