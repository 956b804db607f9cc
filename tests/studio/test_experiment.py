"""Train → Experiment…: the dialog runs ``olm compare`` as a child, shows the runs as they
finish, the plot and the verdict, saves a folder that reopens, and Cancel keeps runs."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from waiting import WAIT_MS

from olm_studio.experiment.dialog import ExperimentDialog

FAST = "--fit-vocab --seq-len 16 --batch-size 2 --eval-batches 1 --threads 1 --lr 3e-3"


def _dialog(qtbot, window) -> ExperimentDialog:
    action = window.findChild(QAction, "action_experiment")
    assert action is not None and "Experiment" in action.text()
    action.trigger()
    dialog = window.findChild(ExperimentDialog)
    assert dialog is not None and dialog.isVisible()
    # the canvas (a tiny GPT-2) against the GPT-2 preset at trial scale
    dialog.preset.setCurrentText("GPT2")
    add = [b for b in dialog.findChildren(type(dialog.run_button)) if b.text() == "Add preset"]
    qtbot.mouseClick(add[0], Qt.MouseButton.LeftButton)
    assert dialog.models.count() == 2
    dialog.extra.setText(FAST)
    return dialog


def _run(qtbot, window, budget: str, seeds: int, cancel: bool = False) -> ExperimentDialog:
    """Run an experiment from the dialog (cancelled after its first run with ``cancel``)."""
    dialog = _dialog(qtbot, window)
    dialog.budget.setText(budget)
    dialog.seeds.setValue(seeds)
    with qtbot.waitSignal(dialog.experiment_done, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
        assert dialog.cancel_button.isEnabled() and not dialog.run_button.isEnabled()
        if cancel:
            qtbot.waitUntil(lambda: dialog.runs.rowCount() >= 1, timeout=WAIT_MS)
            qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    return dialog


@pytest.mark.slow
def test_experiment_runs_shows_saves_and_reopens(qtbot, window):
    dialog = _run(qtbot, window, "8s", 2)
    assert dialog.runs.rowCount() == 4, dialog.status.text()
    folder = dialog.folder
    data = json.loads((folder / "experiment.json").read_text())
    assert dialog.verdict.text() == data["verdict"] and data["verdict"]
    assert len(dialog.dots.models) == 2
    assert (folder / "comparison.png").stat().st_size > 0
    assert "comparison.png" in (folder / "report.md").read_text()
    assert (folder / "canvas.olm.json").is_file()
    again = ExperimentDialog(root=dialog.root)
    qtbot.addWidget(again)
    again.load_folder(folder)
    assert again.verdict.text() == data["verdict"] and again.runs.rowCount() == 4


@pytest.mark.slow
def test_cancel_keeps_the_finished_runs(qtbot, window):
    dialog = _run(qtbot, window, "30s", 3, cancel=True)
    data = json.loads((dialog.folder / "experiment.json").read_text())
    assert 1 <= len(data["runs"]) < 6
    assert any("cancelled" in note for note in data["notes"])
    finished = [r for r in data["runs"] if r["status"] == "finished"]
    assert all((dialog.folder / r["folder"]).is_dir() for r in finished)
    assert dialog.run_button.isEnabled()


def test_lesson_panel_offers_measure_each_swap(qtbot, window):
    window.findChild(QAction, "action_lesson_modernise").trigger()
    button = window.lesson.measure_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in window.findChildren(ExperimentDialog) if d.lesson]
    assert dialogs and not dialogs[0].models.isEnabled()
    args = dialogs[0].command(dialogs[0].root)
    assert args[0] == "compare" and "--lesson" in args
