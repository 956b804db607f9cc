"""What a run folder says about resuming it: its folder, its settings, its paths.

``olm train --resume RUN`` (:mod:`olm.train.resume`) continues a run from what the run
folder recorded. A run folder may have come from someone else, so the paths it records
are not obeyed blindly: an input or output path (events, data, init_from, a tokenizer
file) that points outside the run folder is shown and needs ``--trust-recorded-paths``,
unless the same setting is given again on the command line, which always wins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from olm.core.errors import ConfigError
from olm.store import layout
from olm.store.checkpoint import read_state, resolve_checkpoint

__all__ = ["run_folder_of", "recorded_settings", "check_tokenizer", "has_document",
           "outside_paths", "check_recorded_paths", "PATH_SETTINGS"]

PATH_SETTINGS = ("events", "data", "init_from", "tokenizer")
"""Settings that name a file olm reads or writes."""

_NOT_PATHS = {"events": ("-",), "data": ("builtin",), "tokenizer": ("byte",)}


def run_folder_of(checkpoint: Path, given: Path) -> Path:
    """The run folder a checkpoint belongs to (``RUN/checkpoints/step_N`` → ``RUN``)."""
    if checkpoint.parent.name == layout.CHECKPOINTS_DIR:
        return checkpoint.parent.parent
    if checkpoint.name == layout.FINAL_DIR:
        return checkpoint.parent
    return given if given != checkpoint else checkpoint


def has_document(checkpoint: Path) -> bool:
    """Whether the checkpoint holds its own graph document (it then defines the model)."""
    return (checkpoint / layout.MODEL_DOCUMENT).is_file()


def recorded_settings(resume: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    """The checkpoint a resume starts from and the settings it recorded (may be empty).

    Raises:
        OLMError: no checkpoint is there, or its state is damaged.
    """
    checkpoint = resolve_checkpoint(resume)
    saved = read_state(checkpoint).get("config")
    if saved is not None and not isinstance(saved, dict):
        raise ConfigError(f"{checkpoint}: the recorded config is not an object")
    return checkpoint, dict(saved or {})


def check_tokenizer(spec: str, checkpoint: Path) -> None:
    """Refuse a resume whose tokenizer is neither in the checkpoint nor where recorded."""
    if (checkpoint / layout.TOKENIZER_DIR).is_dir() or spec == "byte" or spec.startswith("bpe:"):
        return
    if not Path(spec).is_file():
        raise ConfigError(
            f"the run's tokenizer {spec!r} cannot be found and {checkpoint} holds no "
            f"{layout.TOKENIZER_DIR}/ folder: give --tokenizer with the tokenizer.json it was "
            "trained with")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def outside_paths(recorded: dict[str, Any], run_dir: Path, given: dict[str, Any],
                  checkpoint: Path) -> dict[str, str]:
    """Recorded paths (not given again) that lead outside ``run_dir``: ``{setting: path}``.

    A relative path is taken from the current folder, as the run would read it.
    """
    found = {}
    for name in PATH_SETTINGS:
        value = recorded.get(name)
        if name in given or not isinstance(value, str) or value in _NOT_PATHS.get(name, ()):
            continue
        if name == "tokenizer" and (value.startswith("bpe:")
                                    or (checkpoint / layout.TOKENIZER_DIR).is_dir()):
            continue  # a recipe, or the checkpoint carries its own tokenizer
        if not _inside(Path(value).absolute(), run_dir):
            found[name] = value
    return found


def check_recorded_paths(recorded: dict[str, Any], run_dir: Path, given: dict[str, Any],
                         checkpoint: Path, trusted: bool) -> dict[str, str]:
    """Refuse recorded paths outside the run unless ``trusted``; returns those paths.

    Raises:
        ConfigError: one line listing each path with the flag that confirms them.
    """
    outside = outside_paths(recorded, run_dir, given, checkpoint)
    if outside and not trusted:
        listed = ", ".join(f"{name}={value}" for name, value in outside.items())
        flags = " ".join(f"--{name.replace('_', '-')} PATH" for name in outside)
        raise ConfigError(
            f"{run_dir} records paths outside the run folder ({listed}); a received run "
            f"folder must not choose what olm reads or writes: give them again ({flags}) "
            "or confirm them with --trust-recorded-paths")
    return outside
