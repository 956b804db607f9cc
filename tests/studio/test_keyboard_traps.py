"""No keyboard traps (issue 24 item 6), driven with real key events.

After a Tab quick-add, Ctrl+Z undoes it at once; a click on a variable-bound field gives
that field the keyboard, so Backspace there never deletes the selected node; Tab → "GQA"
with an attention selected replaces it (one undo step) instead of adding a second one.
"""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from waiting import WAIT_MS


@pytest.fixture
def active(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    return window


def _type_into_focus(qtbot, text):
    for ch in text:
        qtbot.keyClick(QApplication.focusWidget(), ch)


def _quick_add(qtbot, window, text):
    view = window.canvas.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert window.canvas.quick.isVisible()
    assert QApplication.focusWidget() is window.canvas.quick.edit
    _type_into_focus(qtbot, text)
    assert window.canvas.quick.top_match() is not None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert not window.canvas.quick.isVisible()


def test_ctrl_z_undoes_a_quick_add_without_clicking_the_canvas(active, qtbot):
    window = active
    graph = window.controller.graph
    before = len(graph.nodes)
    _quick_add(qtbot, window, "RMSNorm")
    assert len(graph.nodes) == before + 1
    # the keyboard is back on the canvas, not on some text field elsewhere
    focus = QApplication.focusWidget()
    assert focus is not None and window.canvas.isAncestorOf(focus)
    qtbot.keyClick(focus, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(graph.nodes) == before


def test_escape_from_quick_add_gives_the_keyboard_back_to_the_canvas(active, qtbot):
    window = active
    window.canvas.view.setFocus()
    qtbot.keyClick(window.canvas.view, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.canvas.view


def test_backspace_in_a_bound_field_never_deletes_the_selected_node(active, qtbot, h):
    window = active
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    window.controller.select([attn])
    row = window.inspector.rows["num_heads"]
    assert row.bind.text() == "= num_heads"  # bound to the model variable
    editor = row.editor
    qtbot.mouseClick(editor, Qt.MouseButton.LeftButton, pos=QPoint(5, editor.height() // 2))
    assert QApplication.focusWidget() is editor or editor.isAncestorOf(QApplication.focusWidget())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backspace)
    assert attn in graph.nodes
    # on the canvas, Backspace still deletes the selection
    window.canvas.view.setFocus()
    window.controller.select([attn])
    qtbot.keyClick(window.canvas.view, Qt.Key.Key_Backspace)
    assert attn not in graph.nodes


def test_a_click_on_the_inspector_background_takes_the_keyboard_from_the_canvas(active, qtbot, h):
    window = active
    graph = window.controller.graph
    attn = h.find(graph, "FlashAttention")
    window.canvas.view.setFocus()
    window.controller.select([attn])
    title = window.inspector.title
    qtbot.mouseClick(title, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    assert attn in graph.nodes


def test_tab_gqa_with_an_attention_selected_replaces_it_in_one_undo_step(active, qtbot, h):
    window = active
    graph = window.controller.graph
    attentions = lambda: [i for i in graph.walk()  # noqa: E731
                          if window.controller.family_of(graph.nodes[i].type) == "attention"]
    (attn,) = attentions()
    window.controller.select([attn])
    _quick_add(qtbot, window, "GQA")
    (after,) = attentions()
    assert graph.nodes[after].type == "GroupedQueryAttention"
    assert not [d for d in window.controller.figures.diagnostics if d.severity == "error"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    (back,) = attentions()
    assert graph.nodes[back].type == "FlashAttention"
