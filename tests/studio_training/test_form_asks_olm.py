"""The Train form keeps derived settings derived by asking olm, fine-tune rule included."""

from olm.train import TrainConfig
from olm.train.derived import derived_settings


def test_a_fine_tune_warmup_shown_in_the_form_follows_the_steps(qtbot):
    from olm_studio.training.form import SettingsForm

    form = SettingsForm()
    qtbot.addWidget(form)
    form.set_config(TrainConfig(source="GPT2", steps=200, init_from="weights"))
    form.steps.setValue(300)
    config = form.config()
    assert config.init_from == "weights"
    assert config.warmup_steps == derived_settings(config)["warmup_steps"]
    assert config.min_lr == derived_settings(config)["min_lr"]


def test_a_given_warmup_stays_given(qtbot):
    from olm_studio.training.form import SettingsForm

    form = SettingsForm()
    qtbot.addWidget(form)
    form.set_config(TrainConfig(source="GPT2", steps=200, warmup_steps=3))
    form.steps.setValue(300)
    assert form.config().warmup_steps == 3
