"""Derived settings (min_lr, warmup_steps) have one owner: ``olm.train.derived``."""

import dataclasses

from olm.train import TrainConfig
from olm.train.derived import derived_settings, finetune_warmup, replace_settings


def test_a_config_derives_what_derived_settings_says():
    for given in (dict(steps=400), dict(steps=400, init_from="weights"), dict(steps=37, lr=2e-4)):
        config = TrainConfig(source="GPT2", **given)
        assert {"min_lr": config.min_lr, "warmup_steps": config.warmup_steps} \
            == derived_settings(config)


def test_setting_init_from_later_gives_the_fine_tune_warmup():
    config = TrainConfig(source="GPT2", steps=400)
    finetune = replace_settings(config, init_from="weights")
    assert finetune.warmup_steps == finetune_warmup(400)
    # what dataclasses.replace did before: the pretraining warmup stayed
    assert dataclasses.replace(config, init_from="weights").warmup_steps != finetune.warmup_steps


def test_a_given_warmup_is_kept():
    config = TrainConfig(source="GPT2", steps=400, warmup_steps=7, min_lr=1e-5)
    changed = replace_settings(config, init_from="weights", steps=800)
    assert (changed.warmup_steps, changed.min_lr) == (7, 1e-5)
