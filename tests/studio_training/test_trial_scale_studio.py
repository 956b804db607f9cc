"""The Studio side of trial scale: the form's default, both documents shown for a trial
run, and its sizes applied to the canvas as one undoable edit."""

from __future__ import annotations

import pytest

from olm.graph import from_source, save
from olm.train.trial import ORIGINAL_DOCUMENT, TRIAL_DOCUMENT


def test_form_defaults_to_trial_scale_and_round_trips(qtbot):
    from olm_studio.training.form import SettingsForm

    form = SettingsForm()
    qtbot.addWidget(form)
    config = form.config()
    assert config.trial and config.budget == "3m" and not config.fit_vocab
    form.trial.setChecked(False)
    form.fit_vocab.setChecked(True)
    assert not form.config().trial and form.config().fit_vocab
    form.set_config(config)
    assert form.config().trial and not form.config().fit_vocab


def _trial_folder(tmp_path):
    from olm.graph.overrides import apply_overrides

    original = from_source("GPT2")
    trial = apply_overrides(original, {"embed_dim": 128, "num_layers": 2, "num_heads": 2,
                                       "hidden_dim": 512, "vocab_size": 256})
    save(original, tmp_path / ORIGINAL_DOCUMENT)
    save(trial, tmp_path / TRIAL_DOCUMENT)
    return original, trial


def test_summary_and_one_undoable_apply(tmp_path):
    from olm.graph.commands import History
    from olm_studio.training.trial_view import apply_sizes_command, trial_documents, trial_summary

    original, trial = _trial_folder(tmp_path)
    docs = trial_documents(tmp_path)
    assert docs is not None and docs[0] == original and docs[1] == trial
    line = trial_summary(*docs)
    assert "124,439,808 →" in line and "embed_dim 768→128" in line
    canvas = from_source("GPT2")
    history = History(canvas)
    history.do(apply_sizes_command(canvas, trial))
    assert canvas.variables == trial.variables
    assert history.undo() and canvas == original  # one step restores everything
    assert trial_documents(tmp_path / "nothing") is None


@pytest.mark.slow
def test_main_window_applies_trial_sizes_as_one_undo_step(qtbot, tmp_path):
    from olm_studio.main_window import MainWindow

    window = MainWindow(screenshot_mode=True)
    qtbot.addWidget(window)
    window.controller.set_document(from_source("GPT2"))
    _original, trial = _trial_folder(tmp_path)
    window.train.apply_sizes_requested.emit(trial)
    assert window.controller.graph.variables["embed_dim"] == 128
    window.controller.undo_stack.undo()
    assert window.controller.graph.variables["embed_dim"] == 768
    assert window.controller.graph == from_source("GPT2")
