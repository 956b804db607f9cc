"""Resuming a run: its own settings back, its own folder, the changes on record.

``olm train --resume RUN`` continues the run as it was configured: every setting comes
from the config the checkpoint recorded, a flag given explicitly overrides one (and
:func:`resume_config` reports the change, which the run writes as a ``config_change``
event), the checkpoints keep going into the run's own folder, and a tokenizer that is
neither in the checkpoint nor where the record says is an error, never a silent
fallback to bytes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from olm.core.errors import ConfigError
from olm.train.checkpoint import read_state, resolve_checkpoint
from olm.train.config import TrainConfig
from olm.train.differences import PLACES

__all__ = ["resume_config", "run_folder_of"]


def run_folder_of(checkpoint: Path, given: Path) -> Path:
    """The run folder a checkpoint belongs to (``RUN/checkpoints/step_N`` → ``RUN``)."""
    if checkpoint.parent.name == "checkpoints":
        return checkpoint.parent.parent
    if checkpoint.name == "final":
        return checkpoint.parent
    return given if given != checkpoint else checkpoint


def _check_tokenizer(spec: str, checkpoint: Path) -> None:
    if (checkpoint / "tokenizer").is_dir() or spec == "byte" or spec.startswith("bpe:"):
        return
    if not Path(spec).is_file():
        raise ConfigError(
            f"the run's tokenizer {spec!r} cannot be found and {checkpoint} holds no tokenizer/ "
            "folder: give --tokenizer with the tokenizer.json it was trained with")


def resume_config(resume: str, explicit: dict[str, Any],
                  base: dict[str, Any] | None = None) -> tuple[TrainConfig, dict[str, list[Any]]]:
    """The config a resumed run continues with, and what explicit settings changed.

    Args:
        resume: the run or checkpoint folder (``--resume``).
        explicit: settings the person gave (flags, or a ``--config`` file), which win.
        base: settings to assume where the checkpoint recorded none (defaults otherwise).

    Returns:
        (config, changes) where changes maps each overridden setting to
        ``[saved value, new value]``.

    Raises:
        ConfigError: the checkpoint cannot be found, its tokenizer is missing, or the
            resulting settings break a rule.
    """
    checkpoint = resolve_checkpoint(resume)
    saved = read_state(checkpoint).get("config")
    if saved is not None and not isinstance(saved, dict):
        raise ConfigError(f"{checkpoint}: the recorded config is not an object")
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    recorded = {k: v for k, v in (saved or {}).items() if k in names}
    settings = {**(base or {}), **recorded}
    # the checkpoint holds the model (its graph); a source is used only when given again
    settings["source"] = None
    # the run keeps writing to its own folder (wherever it is now), unless told otherwise
    settings["out"] = str(run_folder_of(checkpoint, Path(resume)))
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
    _check_tokenizer(config.tokenizer, checkpoint)
    return config, changes
