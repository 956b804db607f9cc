"""Issue 12 item 2: one owner per key sequence, and every advertised shortcut works.

The F1 list is read from the actions, so pressing every sequence it lists (with the
keyboard, focus on the canvas) covers the menus too. Qt silently does nothing for a
sequence with two owners ("Ambiguous shortcut overload"), so each press must trigger its
action exactly once.
"""

from collections import Counter

import pytest
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog
from waiting import WAIT_MS

from olm_studio.panels.shortcuts import shortcut_rows, shortcuts_html


@pytest.fixture
def active(window, qtbot, monkeypatch):
    from olm_studio.panels import presets

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    monkeypatch.setattr(presets.PresetGallery, "exec", lambda self: 0)
    # Ctrl+Enter's run is tested in test_train_menu.py; here its key must only reach it.
    monkeypatch.setattr(window.train.lifecycle, "start_when_checked", lambda: False)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    return window


def _sequences(window):
    seqs = []
    for action in window.findChildren(QAction):
        seqs += [s.toString() for s in action.shortcuts() if not s.isEmpty()]
    for shortcut in window.findChildren(QShortcut):
        seqs += [s.toString() for s in shortcut.keys() if not s.isEmpty()]
    return seqs


def test_no_key_sequence_has_two_owners(window):
    seqs = _sequences(window)
    assert seqs, "no shortcuts found"
    twice = [s for s, n in Counter(seqs).items() if n > 1]
    assert twice == []
    assert {"Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+Z", "Ctrl+1", "Ctrl+2", "F1"} <= set(seqs)


def _press(window, qtbot, seq: QKeySequence) -> None:
    window.canvas.quick.hide()
    window.canvas.view.setFocus()
    combo = seq[0]
    qtbot.keyClick(window.canvas.view, combo.key(), combo.keyboardModifiers())
    QApplication.processEvents()


def test_every_advertised_shortcut_triggers_its_action(active, qtbot, h):
    window = active
    actions = window.menu_actions()
    html = shortcuts_html(actions)
    assert "Ctrl+Shift+Z / Ctrl+Y" in html and "Tab / double-click canvas" in html
    keys = window.actions_by_key
    quit_action = keys["quit"]
    pressed = 0
    idle = {keys["train_stop"], keys["train_resume"]}  # no run to stop or resume: off
    for action in sorted((a for a in actions if a.shortcuts()), key=lambda a: a is quit_action):
        for seq in action.shortcuts():
            if action is quit_action:
                continue
            if action in idle:
                assert not action.isEnabled(), f"{action.text()!r} is on with no run"
                continue  # their keys are pressed on a real run in test_train_menu.py
            graph = window.controller.graph
            # Make each action possible: a selection to cut or delete, something to undo/redo.
            window.controller.select([h.find(graph, "LayerNorm")]) \
                if any(n.type == "LayerNorm" for n in graph.nodes.values()) else None
            if action is keys["undo"] or action is keys["redo"]:
                window.canvas.edits.rename_model(f"m{pressed}")
                if action is keys["redo"]:
                    window.controller.undo_stack.undo()
            index = window.controller.undo_stack.index()
            fired = []

            def count(*_, fired=fired):
                fired.append(1)

            action.triggered.connect(count)
            _press(window, qtbot, seq)
            action.triggered.disconnect(count)
            assert fired == [1], f"{seq.toString()} did not trigger {action.text()!r} once"
            if action is keys["undo"]:
                assert window.controller.undo_stack.index() == index - 1
            if action is keys["redo"]:
                assert window.controller.undo_stack.index() == index + 1
            if action is keys["train_space"]:
                assert window.workspace() == "train"
            if action is keys["design_space"]:
                assert window.workspace() == "design"
            pressed += 1
    assert pressed >= 20
    _press(window, qtbot, quit_action.shortcut())
    assert not window.isVisible()


def test_f1_lists_exactly_the_menu_shortcuts(window):
    rows = {what: keys for keys, what in shortcut_rows(window.menu_actions())}
    assert rows["Redo"].startswith("Ctrl+Shift+Z / Ctrl+Y")
    assert rows["Undo"].startswith("Ctrl+Z")
    assert rows["Design Workspace"] == "Ctrl+1" and rows["Train Workspace"] == "Ctrl+2"
    assert rows["Keyboard Shortcuts"] == "F1" and rows["Quit"] == "Ctrl+Q"
    assert "New" not in rows["New"].split(" / ")  # no keys most keyboards lack
