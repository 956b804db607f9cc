"""Resuming a run: its own settings back, its own folder, the changes on record.

``olm train --resume RUN`` continues the run as it was configured: every setting comes
from the config the checkpoint recorded, a flag given explicitly overrides one (and
:func:`resume_config` reports the change, which the run writes as a ``config_change``
event), the checkpoints keep going into the run's own folder, and a tokenizer that is
neither in the checkpoint nor where the record says is an error, never a silent
fallback to bytes. The model is the checkpoint's own document (for a trial-scale run,
the trial copy), never a SOURCE given again. Reading the folder is :mod:`olm.store.resume`'s
job, including the rule that recorded paths outside the run need confirming.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from olm.store.resume import (
    check_recorded_paths,
    check_tokenizer,
    has_document,
    recorded_settings,
    run_folder_of,
)
from olm.train.config import TrainConfig
from olm.train.differences import PLACES

__all__ = ["resume_config", "run_folder_of"]


def resume_config(resume: str, explicit: dict[str, Any], base: dict[str, Any] | None = None,
                  *, trust_recorded_paths: bool = False,
                  ) -> tuple[TrainConfig, dict[str, list[Any]]]:
    """The config a resumed run continues with, and what explicit settings changed.

    Args:
        resume: the run or checkpoint folder (``--resume``).
        explicit: settings the person gave (flags, or a ``--config`` file), which win.
        base: settings to assume where the checkpoint recorded none (defaults otherwise).
        trust_recorded_paths: obey recorded paths that lead outside the run folder.

    Returns:
        (config, changes) where changes maps each overridden setting to
        ``[saved value, new value]``.

    Raises:
        ConfigError: the checkpoint cannot be found, its tokenizer is missing, a recorded
            path leads outside the run unconfirmed, or the settings break a rule.
    """
    checkpoint, saved = recorded_settings(resume)
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    recorded = {k: v for k, v in saved.items() if k in names}
    run_dir = run_folder_of(checkpoint, Path(resume))
    explicit = dict(explicit)
    if has_document(checkpoint):
        # the checkpoint's document is the model trained (the trial copy under --trial);
        # a SOURCE given again (the Studio's canvas, a preset) would not fit its weights
        explicit.pop("source", None)
    check_recorded_paths(recorded, run_dir, explicit, checkpoint, trust_recorded_paths)
    settings = {**(base or {}), **recorded}
    # the checkpoint holds the model (its graph); a source is used only when given again
    settings["source"] = None
    # the run keeps writing to its own folder (wherever it is now), unless told otherwise
    settings["out"] = str(run_dir)
    settings.update(explicit)
    settings["resume"] = str(resume)
    if isinstance(settings.get("betas"), list):
        settings["betas"] = tuple(settings["betas"])
    changes = {}
    for name, value in explicit.items():
        if name in PLACES or name not in recorded:  # places are never "changes"
            continue
        old = recorded[name]
        new = list(value) if isinstance(value, tuple) else value
        if old != new:
            changes[name] = [old, new]
    config = TrainConfig(**settings)
    check_tokenizer(config.tokenizer, checkpoint)
    return config, changes
