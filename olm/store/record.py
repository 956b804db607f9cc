"""The run record: one file in a run folder that says what was trained.

``record.json`` (:data:`olm.store.layout.RECORD`) holds:

- ``document``: the file, in the run folder, of the exact document trained. For a
  trial-scale run that is the trial copy, so resuming, comparing and exporting use the
  model that was trained, never whatever the canvas shows now;
- ``original``: with ``--trial``, the file of the document it was scaled from;
- ``settings``: the run's settings, once (a ``TrainConfig`` as JSON): its tokenizer,
  data and the weights it started from (``init_from``) among them;
- ``project``: the project file the run belongs to (the Studio's runs list shows a
  project's runs: those whose record names it), or null;
- ``name``, ``model_name``, ``created``, ``status``, ``reason``: what the runs list shows.

``olm train --out RUN`` writes it when the run starts and sets the status when it ends;
the Studio writes it first (with the name and project) and the child fills in the rest.
``olm train --config RUN/record.json`` reads its settings, so the Studio starts its child
from the record rather than from a second settings file. This module is plain JSON and
paths (no torch): the Studio reads records at start-up.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from olm.core.errors import FileFormatError
from olm.core.files import read_text
from olm.core.limits import MAX_RUN_RECORD_BYTES
from olm.store import layout

__all__ = ["KIND", "FORMAT", "read_record", "write_record", "update_record", "is_record",
           "settings_of", "begin_run", "end_run"]

KIND = "olm-run"
FORMAT = 1
_MAX_BYTES = MAX_RUN_RECORD_BYTES


def is_record(data: Any) -> bool:
    """Whether a parsed JSON object is a run record (not a plain settings file)."""
    return isinstance(data, dict) and data.get("kind") == KIND


def settings_of(data: dict[str, Any], where: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings a run record holds.

    Raises:
        FileFormatError: the record's ``settings`` is not an object.
    """
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise FileFormatError(f"{where}: \"settings\" must be a JSON object")
    return dict(settings)


def read_record(run_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The record of a run folder, or None when it has none (a folder from before records).

    Raises:
        FileFormatError: the record is a link or not a regular file, too large, not UTF-8,
            not JSON or not a record (one line naming the file and the rule).
    """
    path = Path(run_dir) / layout.RECORD
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink():
        raise FileFormatError(f"{path} must be a plain file (not a link)")
    text = read_text(path, _MAX_BYTES, "run record")  # bounded; regular files only; UTF-8
    try:
        data = json.loads(text)
    except ValueError as err:
        raise FileFormatError(f"{path} is not valid JSON: {err}") from None
    if not is_record(data):
        raise FileFormatError(f"{path} is not an olm run record (no \"kind\": \"{KIND}\")")
    return data


def write_record(run_dir: str | os.PathLike[str], data: dict[str, Any]) -> Path:
    """Write the record atomically (a crash never leaves half a record); returns its path."""
    folder = Path(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / layout.RECORD
    if path.is_symlink():
        raise FileFormatError(f"{path} is a link; a run record must be a plain file")
    record = {"kind": KIND, "format": FORMAT, **{k: v for k, v in data.items()
                                                 if k not in ("kind", "format")}}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".record-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=1)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def update_record(run_dir: str | os.PathLike[str], **fields: Any) -> dict[str, Any]:
    """Change some fields of a run's record (creating it if missing); returns the record."""
    data = read_record(run_dir) or {}
    data.update(fields)
    write_record(run_dir, data)
    return data


def begin_run(run_dir: str | os.PathLike[str], graph: Any, settings: dict[str, Any],
              *, resumed: bool) -> dict[str, Any]:
    """Record a run as it starts: the document it trains (saved beside the record), its
    settings, and "running". A resumed run keeps the document it started with.

    Args:
        run_dir: the run folder (``--out``).
        graph: the ``olm.graph`` document trained, or None (a module olm cannot describe).
        settings: the run's ``TrainConfig`` as JSON.
        resumed: the run continues from a checkpoint of this folder.
    """
    import olm.graph

    folder = Path(run_dir)
    data = read_record(folder) or {}
    fields: dict[str, Any] = {"settings": settings, "status": "running", "reason": ""}
    if not resumed or not data.get("document"):
        document = None
        if graph is not None:
            olm.graph.save(graph, folder / layout.MODEL_DOCUMENT)
            document = layout.MODEL_DOCUMENT
        original = folder / layout.ORIGINAL_DOCUMENT
        fields.update(document=document,
                      original=layout.ORIGINAL_DOCUMENT if settings.get("trial")
                      and original.is_file() else None)
    data.setdefault("created", time.time())
    data.setdefault("name", folder.name)
    data.setdefault("model_name", getattr(graph, "name", "") or "")
    data.setdefault("project", None)
    data.update(fields)
    write_record(folder, data)
    return data


def end_run(run_dir: str | os.PathLike[str], status: str, reason: str = "") -> None:
    """Record how a run ended ("finished", "stopped" or "failed", and why)."""
    update_record(run_dir, status=status, reason=reason or "")
