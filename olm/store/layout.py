"""The on-disk layout of checkpoints, run folders and imported projects: every file name.

One place spells each name, so the library, the command line and the Studio cannot drift
apart. This module holds names and pure path arithmetic only (no torch, no I/O), which is
why it sits in ``olm.core``: ``olm.graph`` reads a checkpoint folder's document and ``olm.nn``
sits below the graph, and both may import from here. Reading and writing the files is
:mod:`olm.store.checkpoint`'s job.

A checkpoint folder::

    model.safetensors          weights (tied tensors stored once, re-tied on load)
    model.olm.json             the graph document
    tokenizer/                 the tokenizer it was trained with
    trainer_state/state.json   step, config, scheduler, optimizer groups, counters
    trainer_state/optimizer.safetensors   optimizer moments
    trainer_state/rng.safetensors         torch CPU (and CUDA) generator states
    manifest.json              sha256 and size of every other file, written last

A run folder (``olm train --out RUN``, and every run the Studio starts)::

    record.json                the run record: what was trained (olm.store.record)
    model.olm.json             the exact document trained (the trial copy under --trial)
    original.olm.json          --trial: the document it was scaled from
    trial.olm.json             --trial: the trial copy as first written
    events.jsonl               the event stream
    stderr.log                 the Studio's runs: what the child wrote to stderr
    .olm-run.lock              held by the process training into the folder
    checkpoints/step_0000100/  step checkpoints (the newest few are kept)
    final/                     a finished run's checkpoint, where one was written

Run folders written before the run record (read, never written): the Studio's
``run.json`` + ``train.json`` with the trainer's output in ``checkpoint/``, and plain
``olm train --out`` folders without ``record.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

from olm.core.names import MODEL_DOCUMENT

__all__ = [
    "MODEL_DOCUMENT", "RECORD", "LOCK_NAME", "STUDIO_CONFIG", "RUN_FOLDER_ENTRIES",
    "WEIGHTS", "TOKENIZER_DIR", "TRAINER_STATE_DIR", "STATE_FILE",
    "OPTIMIZER_FILE", "RNG_FILE", "MANIFEST", "PICKLED_MODEL", "CHECKPOINTS_DIR", "FINAL_DIR",
    "STEP_PREFIX", "STAGING_PREFIX", "REPLACED_PREFIX", "EVENTS", "TRIAL_DOCUMENT",
    "ORIGINAL_DOCUMENT", "RUN_RECORD", "STDERR_LOG",
    "STUDIO_CHECKPOINT_DIR", "PROJECT_SUFFIX", "WEIGHTS_SUFFIX", "TOKENIZER_SUFFIX",
    "step_name", "state_path", "staging_path", "replaced_path", "leftover_owner",
    "project_paths",
]

# One checkpoint folder.
WEIGHTS = "model.safetensors"
TOKENIZER_DIR = "tokenizer"
TRAINER_STATE_DIR = "trainer_state"
STATE_FILE = "state.json"
OPTIMIZER_FILE = "optimizer.safetensors"
RNG_FILE = "rng.safetensors"
MANIFEST = "manifest.json"
PICKLED_MODEL = "model.pt"  # never loaded; named only to explain why

# One run folder.
CHECKPOINTS_DIR = "checkpoints"
FINAL_DIR = "final"
STEP_PREFIX = "step_"
STAGING_PREFIX = ".tmp-"  # a checkpoint being written: .tmp-NAME-PID
REPLACED_PREFIX = ".old-"  # a checkpoint being replaced: .old-NAME-PID
EVENTS = "events.jsonl"
RECORD = "record.json"  # the run record (olm.store.record)
LOCK_NAME = ".olm-run.lock"  # olm.store.run_lock
TRIAL_DOCUMENT = "trial.olm.json"  # --trial: the trial copy as olm.train.trial writes it
ORIGINAL_DOCUMENT = "original.olm.json"  # --trial: the document it was scaled from
STDERR_LOG = "stderr.log"

# A Studio run folder from before the run record (read only).
RUN_RECORD = "run.json"
STUDIO_CONFIG = "train.json"
STUDIO_CHECKPOINT_DIR = "checkpoint"

# Entries of a run folder that must be what they say (never a link to elsewhere).
RUN_FOLDER_ENTRIES = (CHECKPOINTS_DIR, FINAL_DIR, EVENTS, RECORD, LOCK_NAME, MODEL_DOCUMENT,
                      ORIGINAL_DOCUMENT, TRIAL_DOCUMENT, STDERR_LOG, STUDIO_CHECKPOINT_DIR)

# A project file with its weights beside it: NAME.olm.json, NAME.safetensors, NAME.tokenizer/.
PROJECT_SUFFIX = ".olm.json"
WEIGHTS_SUFFIX = ".safetensors"
TOKENIZER_SUFFIX = ".tokenizer"


def step_name(step: int) -> str:
    """The folder name of the checkpoint at ``step`` (zero-padded, so names sort by step)."""
    return f"{STEP_PREFIX}{step:07d}"


def state_path(checkpoint: str | os.PathLike[str]) -> Path:
    """``trainer_state/state.json`` of a checkpoint folder."""
    return Path(checkpoint) / TRAINER_STATE_DIR / STATE_FILE


def staging_path(final: Path, pid: int | None = None) -> Path:
    """Where ``final`` is written before it is renamed into place (``.tmp-NAME-PID``)."""
    return final.with_name(f"{STAGING_PREFIX}{final.name}-{pid or os.getpid()}")


def replaced_path(final: Path, pid: int | None = None) -> Path:
    """Where an existing ``final`` waits while its replacement is renamed in."""
    return final.with_name(f"{REPLACED_PREFIX}{final.name}-{pid or os.getpid()}")


def leftover_owner(name: str) -> tuple[str, str, int] | None:
    """``(kind, target, pid)`` of a staging or replaced folder's name, else None.

    ``kind`` is ``"staging"`` (``.tmp-TARGET-PID``) or ``"replaced"`` (``.old-TARGET-PID``);
    ``target`` is the checkpoint folder's name and ``pid`` the process that wrote it.
    """
    for kind, prefix in (("staging", STAGING_PREFIX), ("replaced", REPLACED_PREFIX)):
        if name.startswith(prefix):
            target, _, pid = name[len(prefix):].rpartition("-")
            return (kind, target, int(pid)) if pid.isdigit() and target else None
    return None


def project_paths(output: str | os.PathLike[str]) -> dict[str, Path]:
    """Where each file of an imported model goes (keys "graph", "weights", "tokenizer").

    ``NAME.olm.json`` names a project file with ``NAME.safetensors`` and ``NAME.tokenizer/``
    beside it; any other name is a checkpoint folder.
    """
    out = Path(output)
    if out.name.endswith(PROJECT_SUFFIX):
        stem = out.name[: -len(PROJECT_SUFFIX)]
        return {
            "graph": out,
            "weights": out.with_name(stem + WEIGHTS_SUFFIX),
            "tokenizer": out.with_name(stem + TOKENIZER_SUFFIX),
        }
    return {"graph": out / MODEL_DOCUMENT, "weights": out / WEIGHTS, "tokenizer": out / TOKENIZER_DIR}
