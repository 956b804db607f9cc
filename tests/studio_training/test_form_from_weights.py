"""The Train form shows what a run from pretrained weights really uses (issue 24 item 3):
the weights' own tokenizer (not "Byte-level (256 ids)") and trial scale off, both locked
while "Continue from these weights" is on, and the earlier choices back afterwards."""

from __future__ import annotations


def test_form_from_weights_shows_the_models_tokenizer_and_no_trial(qtbot):
    from olm_studio.training.form import WEIGHTS_TOKENIZER, SettingsForm

    form = SettingsForm()
    qtbot.addWidget(form)
    assert form.config().trial  # the Studio's default run is at trial scale
    form.set_from_weights(True)
    assert form.tokenizer_kind.currentText() == WEIGHTS_TOKENIZER
    assert not form.tokenizer_kind.isEnabled() and not form.trial.isEnabled()
    assert not form.trial.isChecked() and "pretrained weights" in form.trial.toolTip()
    config = form.config()
    assert not config.trial and not config.fit_vocab
    # repeating a past run's settings keeps showing what the weights use
    form.set_config(config.__class__(**{**config.to_json(), "trial": True}))
    assert form.tokenizer_kind.currentText() == WEIGHTS_TOKENIZER and not form.config().trial
    form.set_from_weights(False)
    assert form.tokenizer_kind.currentData() == "byte" and form.tokenizer_kind.isEnabled()
    assert form.trial.isEnabled() and form.config().trial
    assert form.tokenizer_kind.findData("weights") == -1
