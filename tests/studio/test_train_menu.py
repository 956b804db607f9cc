"""Train → Start, Stop and Resume, from the menu bar and by their keys, in either workspace.

The Train menu had only the workspace and the Experiment dialog: starting, stopping and
resuming a run needed the mouse on the Train workspace's buttons. Each now has an action
(:class:`olm_studio.training.command_bar.CommandBar`), listed under Help → Keyboard
Shortcuts. Stop and Resume press their buttons. Start Training works from the Design
workspace too: it shows the Train workspace and starts once the pre-flight of exactly
what it will train has answered, or says why not.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from waiting import CHILD_S, WAIT_MS

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _key(qtbot, w, key, modifiers):
    target = QApplication.focusWidget() or w
    qtbot.keyClick(target, key, modifiers)


def test_the_train_menu_lists_start_stop_and_resume_with_their_keys(small_window):
    from olm_studio.panels.shortcuts import shortcut_rows

    w = small_window
    texts = [a.text().replace("&", "") for a in w.menus.train_menu.actions()]
    assert {"Start Training", "Stop Training", "Resume Selected Run"} <= set(texts)
    rows = {what: keys for keys, what in shortcut_rows(w.menu_actions())}  # the F1 list
    assert rows["Start Training"] == "Ctrl+Return" and rows["Stop Training"] == "Ctrl+."
    assert rows["Resume Selected Run"] == "Ctrl+Shift+Return"


def _set_steps(qtbot, w, steps):
    """On the Train workspace, as a user would, then back to Design."""
    _key(qtbot, w, Qt.Key.Key_2, CTRL)
    w.train.form.steps.setValue(steps)
    _key(qtbot, w, Qt.Key.Key_1, CTRL)
    assert w.workspace() == "design"
    w.canvas.view.setFocus()


def test_keys_start_stop_and_resume_a_run_from_the_design_workspace(small_window, qtbot):
    w, panel = small_window, small_window.train
    _set_steps(qtbot, w, 100_000)  # the run goes on until it is stopped
    bar = panel.bar
    assert bar.start_action.isEnabled() and not bar.stop_action.isEnabled()

    with qtbot.waitSignal(panel.run_started, timeout=WAIT_MS) as started:
        _key(qtbot, w, Qt.Key.Key_Return, CTRL)  # waits for the check, then starts
    run_id = started.args[0]
    assert w.workspace() == "train"  # where the run is shown
    assert "ready to train" in panel.problem_label.text()
    assert bar.stop_action.isEnabled() and not bar.start_action.isEnabled()
    qtbot.waitUntil(lambda: panel.history(run_id).last_step >= 2, timeout=WAIT_MS)

    with qtbot.waitSignal(panel.run_ended, timeout=WAIT_MS) as ended:
        _key(qtbot, w, Qt.Key.Key_Period, CTRL)
    assert ended.args[:2] == [run_id, "stopped"]
    stopped_at = panel.history(run_id).last_step
    assert bar.resume_action.isEnabled() and not bar.stop_action.isEnabled()

    with qtbot.waitSignal(panel.run_started, timeout=WAIT_MS) as resumed:
        _key(qtbot, w, Qt.Key.Key_Return, CTRL | SHIFT)
    assert resumed.args[0] == run_id  # the same run goes on
    qtbot.waitUntil(lambda: panel.history(run_id).last_step > stopped_at, timeout=WAIT_MS)
    assert panel.stop_and_wait(CHILD_S)


def test_the_start_key_starts_nothing_the_pre_flight_refuses_and_says_why(small_window, qtbot):
    w, panel = small_window, small_window.train
    _key(qtbot, w, Qt.Key.Key_2, CTRL)
    import torch

    absent = "mps" if torch.cuda.is_available() else "cuda"  # a device this machine lacks
    panel.form.device.setCurrentText(absent)
    _key(qtbot, w, Qt.Key.Key_1, CTRL)
    w.canvas.view.setFocus()
    _key(qtbot, w, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not panel.checks.pending, timeout=WAIT_MS)
    assert "✖" in panel.problem_label.text() and absent in panel.problem_label.text()
    # the waiting start runs just after the answer is shown (one start, see the last test)
    qtbot.waitUntil(lambda: panel.status_label.text() != "Starting once the settings are "
                                                         "checked…", timeout=WAIT_MS)
    assert panel.status_label.text() == "Not started: fix the problems above."
    assert not panel.is_running() and panel.runs() == []


def test_train_pressed_while_the_start_key_waits_starts_one_run(small_window, qtbot):
    w, panel = small_window, small_window.train
    _set_steps(qtbot, w, 100_000)
    _key(qtbot, w, Qt.Key.Key_Return, CTRL)  # waits for the check...
    assert panel.checks.pending and not panel.is_running()
    started = []
    panel.run_started.connect(started.append)
    panel.start_training()  # ...when Train checks on the spot and starts
    qtbot.waitUntil(lambda: panel.history(started[0]).last_step >= 1, timeout=WAIT_MS)
    assert len(started) == 1 and len(panel.runs()) == 1
