"""The Studio's trial-run policy on top of the library's :class:`TrainConfig`.

The rules of a run's settings are the library's; what the Studio adds is only its
defaults (a short run that shows a curve within minutes) and the intervals it fills in
when a run starts. No Qt here: the run store and the tests share it.
"""

from __future__ import annotations

import dataclasses

from olm.store.layout import MODEL_DOCUMENT
from olm.train import TrainConfig

__all__ = ["TRIAL", "MODEL_FILE", "default_config", "auto_intervals"]

MODEL_FILE = MODEL_DOCUMENT
"""The source a form's config names: the graph file each run folder holds."""


TRIAL = dict(source=MODEL_FILE, steps=300, seq_len=128, lr=1e-3, eval_every=0, sample_every=0,
             checkpoint_every=0, telemetry=10, trial=True, budget="3m")
"""The trial run's settings (those not given take TrainConfig's defaults). ``trial``: the
run trains a smaller copy of the model with the same recipe, sized to the budget on this
machine (:mod:`olm.train.trial`), so pressing Train on GPT-2 with nothing touched ends in
minutes on a laptop CPU; ``telemetry``: per-node statistics every 10 steps (≈0.4% slower)."""


def default_config() -> TrainConfig:
    """The Studio's trial run: short, quick to show a curve; intervals chosen at start."""
    return TrainConfig(**TRIAL)


def auto_intervals(config: TrainConfig) -> TrainConfig:
    """A copy with intervals left at 0 filled in: ~10 evals, ~5 samples, ~4 checkpoints.

    Periodic checkpoints let a crashed run resume and the prompt box sample mid-run.
    """
    return dataclasses.replace(
        config,
        eval_every=config.eval_every or max(1, config.steps // 10),
        sample_every=config.sample_every or max(1, config.steps // 5),
        checkpoint_every=config.checkpoint_every or max(1, config.steps // 4),
    )
