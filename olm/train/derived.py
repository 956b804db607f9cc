"""Settings derived from other settings when not given: ``min_lr`` and ``warmup_steps``.

One place for these rules, so :class:`~olm.train.config.TrainConfig`, ``olm train`` and
the Studio's Train form agree: the final rate of the cosine is a tenth of ``lr``; the
warmup is ``min(100, steps // 10)``, or, for a fine-tune (``init_from`` given), the short
``min(20, steps // 20)``. A derived value follows its inputs: :func:`replace_settings`
changes a config and derives again whatever was derived rather than given.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from olm.train.config import TrainConfig

__all__ = ["DERIVED", "default_min_lr", "default_warmup", "derived_settings",
           "finetune_warmup", "replace_settings"]

DERIVED = ("min_lr", "warmup_steps")  # the settings a TrainConfig derives when left None


def finetune_warmup(steps: int) -> int:
    """A short warmup for fine-tuning: 5% of the steps, at most 20."""
    return min(20, steps // 20)


def default_warmup(steps: int, init_from: str | None) -> int:
    """The warmup of a run that does not give one: short for a fine-tune."""
    return finetune_warmup(steps) if init_from is not None else min(100, steps // 10)


def default_min_lr(lr: float) -> float:
    """The final rate of the cosine of a run that does not give one."""
    return lr / 10


def derived_settings(config: TrainConfig) -> dict[str, Any]:
    """What ``config``'s rules derive for ``min_lr`` and ``warmup_steps`` from its other settings.

    A setting of ``config`` equal to its entry here is (or could have been) derived; the
    Studio keeps such settings derived when it shows a config, so they follow edits.
    """
    return {"min_lr": default_min_lr(config.lr),
            "warmup_steps": default_warmup(config.steps, config.init_from)}


def replace_settings(config: TrainConfig, **changes: Any) -> TrainConfig:
    """``config`` with ``changes``; settings that were derived are derived again.

    ``dataclasses.replace`` would keep a warmup derived for a pretraining run after
    ``init_from`` is set; this gives the fine-tune warmup instead. A derived setting named
    in ``changes`` keeps the given value.
    """
    before = derived_settings(config)
    rederive = {name: None for name in DERIVED
                if name not in changes and getattr(config, name) == before[name]}
    return dataclasses.replace(config, **rederive, **changes)
