"""The lesson's "Train both at trial scale" starts the runs (issue 24 item 1, the button part).

It used to switch to the Train workspace and start nothing. Clicked at the end of the
lesson, it starts the learner's model at trial scale through the Train panel's own start
path, then, when that run ends, the lesson's starting preset.
"""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from waiting import CHILD_S, WAIT_MS

from olm.graph.lessons import MODERNISE_GPT2


def _config(panel):
    """The settings the child was started with (read as ``olm train --config`` reads them)."""
    from olm.train import TrainConfig

    args = panel.runner._process.arguments()
    return TrainConfig.read_file(Path(args[args.index("--config") + 1]))


@pytest.mark.slow
def test_train_both_starts_the_lesson_model_then_the_original(qtbot, tmp_path, monkeypatch,
                                                             fast_settings):
    monkeypatch.setenv("OLM_RUNS_DIR", str(tmp_path / "runs"))
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", staticmethod(  # closing: discard the lesson
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings

    home = tmp_path / "home"
    home.mkdir()
    w = MainWindow(settings=StudioSettings(home))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    try:
        w.findChild(QAction, "action_lesson_modernise").trigger()
        lesson = w.lesson
        for i in range(len(MODERNISE_GPT2.steps)):
            qtbot.mouseClick(lesson.show_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda i=i: lesson.current_step == i + 1, timeout=WAIT_MS)
        panel = w.train
        panel.form.set_config(fast_settings(steps=2, seq_len=32, sample_every=0))
        with qtbot.waitSignal(panel.run_started, timeout=WAIT_MS) as first:
            qtbot.mouseClick(lesson.train_button, Qt.MouseButton.LeftButton)
        assert w.workspaces.current() == "train"
        config = _config(panel)
        assert config["trial"] is True
        run = panel.runs_tab.get(first.args[0])
        assert "+" in run.name  # the modernised model ("GPT2 +RoPE ..."), not plain GPT-2
        with qtbot.waitSignal(panel.run_started, timeout=WAIT_MS) as second:
            panel.stop_training()  # the first ends; the original starts after it
        original = panel.runs_tab.get(second.args[0])
        assert original.name == "GPT2"
        assert _config(panel)["trial"] is True
        assert w.train_both.run_ids == [first.args[0], second.args[0]]
    finally:
        w.train.stop_and_wait(CHILD_S)
        w.files.stop_autosave(remove=True)
