"""The run list: every run of a project kept on disk, read from each folder's run record.

A run folder is ``olm train --out``'s folder (:mod:`olm.store.layout`) with its record
(:mod:`olm.store.record`); the Studio adds ``events.jsonl`` (the child's event stream, which
it copies from the child's stdout) and ``stderr.log``. A :class:`Run` is what the runs list
shows about one folder; :class:`RunStore` makes and lists them.

Run folders the Studio wrote before the run record (``run.json`` with the settings,
``train.json`` for the child, the trainer's output in ``checkpoint/``) still open: they
read as runs whose ``legacy`` is True, whose checkpoints are in ``checkpoint/`` and which
are resumed from there. New runs are never written that way.

Settings are kept as JSON here (``olm.train`` sits above this package); the Studio's
``olm_studio.training.runs`` reads them as a ``TrainConfig``.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olm.core.errors import OLMError
from olm.store import layout
from olm.store.record import read_record, settings_of, write_record

__all__ = ["Run", "RunStore", "STATUSES", "INTERRUPTED", "default_runs_root", "project_key"]

STATUSES = ("running", "finished", "stopped", "failed")
INTERRUPTED = "interrupted: the Studio closed or crashed while the run was going"
_MAX_LEGACY_BYTES = 16 * 1024 * 1024


def default_runs_root(project_path: str | os.PathLike[str] | None = None) -> Path:
    """Where runs live: beside the project (``NAME.runs/``), else in the user's data folder.

    ``OLM_RUNS_DIR`` overrides both; without a project, ``OLM_CACHE_DIR/runs`` is used when
    set (tests point it at a temporary folder), else the platform's user data folder.
    """
    if os.environ.get("OLM_RUNS_DIR"):
        return Path(os.environ["OLM_RUNS_DIR"])
    if project_path:
        project = Path(project_path)
        stem = project.name.removesuffix(".json").removesuffix(".olm")
        return project.parent / f"{stem}.runs"
    if os.environ.get("OLM_CACHE_DIR"):
        return Path(os.environ["OLM_CACHE_DIR"]) / "runs"
    import platformdirs

    return Path(platformdirs.user_data_dir("olm-studio")) / "runs"


def project_key(project_path: str | os.PathLike[str] | None, model_name: str) -> str:
    """What a run's ``project`` field says: the saved project's absolute path, else
    ``"unsaved:<model name>"`` (unsaved models share one runs folder, so the record tells
    a byte-level GPT-2 run from a SmolLM fine-tune's)."""
    if project_path:
        return str(Path(project_path).absolute())
    return f"unsaved:{model_name or 'model'}"


@dataclass
class Run:
    """One run folder and what its record says.

    Args:
        path: the run folder.
        name: what the runs list shows ("GPT2 · 12:03").
        settings: the training settings (a ``TrainConfig`` as JSON).
        status: "running", "finished", "stopped" or "failed".
        reason: why it failed or stopped (shown beside the status).
        created: seconds since the epoch.
        model_name: the model's name when it was started, for labels.
        project: the project the run belongs to (:func:`project_key`); empty for runs
            made before runs were kept per project (shown with every project).
        document: the file in the folder holding the exact document trained.
        legacy: a Studio folder from before the run record (``run.json``).
    """

    path: Path
    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    status: str = "running"
    reason: str = ""
    created: float = 0.0
    model_name: str = ""
    project: str = ""
    document: str | None = layout.MODEL_DOCUMENT
    legacy: bool = False

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def graph_path(self) -> Path:
        """The exact document trained (the trial copy for a trial-scale run)."""
        return self.path / (self.document or layout.MODEL_DOCUMENT)

    @property
    def events_path(self) -> Path:
        return self.path / layout.EVENTS

    @property
    def stderr_path(self) -> Path:
        return self.path / layout.STDERR_LOG

    @property
    def record_path(self) -> Path:
        return self.path / (layout.RUN_RECORD if self.legacy else layout.RECORD)

    @property
    def config_path(self) -> Path:
        """The file ``olm train --config`` reads: the record itself (``train.json`` for a
        legacy folder)."""
        return self.path / layout.STUDIO_CONFIG if self.legacy else self.path / layout.RECORD

    @property
    def checkpoint_dir(self) -> Path:
        """The trainer's ``--out``: the run folder itself (``checkpoint/`` for a legacy one)."""
        return self.path / layout.STUDIO_CHECKPOINT_DIR if self.legacy else self.path

    def save(self) -> None:
        """Write the run's record (atomically), keeping the fields the trainer wrote."""
        if self.legacy:
            _write_legacy(self)
            return
        data = read_record(self.path) or {}
        data.update(name=self.name, model_name=self.model_name, created=self.created,
                    status=self.status, reason=self.reason, settings=self.settings,
                    project=self.project, document=self.document)
        write_record(self.path, data)

    def set_status(self, status: str, reason: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"status {status!r} must be one of {', '.join(STATUSES)}")
        self.status, self.reason = status, reason
        self.save()

    def latest_checkpoint(self) -> Path | None:
        """The newest checkpoint folder that holds weights, or ``None`` before the first."""
        from olm.store.checkpoint import resolve_checkpoint

        try:
            return resolve_checkpoint(self.checkpoint_dir)
        except OLMError:
            return None

    def graph(self) -> Any:
        """The document the run trained (an ``olm.graph`` document), from its record."""
        import olm.graph

        return olm.graph.load(self.graph_path)

    @classmethod
    def load(cls, path: Path) -> Run:
        """Read a run folder (a record, else a legacy ``run.json``).

        Raises:
            OLMError, OSError, ValueError: the folder holds no readable run.
        """
        data = read_record(path)
        if data is None:
            return _load_legacy(cls, path)
        document = data.get("document")
        run = cls(path=path, name=str(data.get("name", path.name)),
                  settings=settings_of(data, path / layout.RECORD),
                  status=str(data.get("status", "failed")), reason=str(data.get("reason", "")),
                  created=float(data.get("created", 0.0)),
                  model_name=str(data.get("model_name", "")),
                  project=data.get("project") if isinstance(data.get("project"), str) else "",
                  document=document if _plain_name(document) else layout.MODEL_DOCUMENT)
        if run.status not in STATUSES:
            run.status, run.reason = "failed", f"unknown status {run.status!r}"
        return run


def _plain_name(name: Any) -> bool:
    """A file name inside the run folder (a record never points elsewhere)."""
    return isinstance(name, str) and bool(name) and Path(name).name == name and name not in (
        ".", "..")


def _load_legacy(cls: type[Run], path: Path) -> Run:
    """A Studio run folder from before the run record (``run.json``)."""
    record = path / layout.RUN_RECORD
    if record.is_symlink() or record.stat().st_size > _MAX_LEGACY_BYTES:
        raise ValueError(f"{record} is a link or too large")
    data = json.loads(record.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{record} is not a JSON object")
    run = cls(path=path, name=str(data.get("name", path.name)),
              settings=_legacy_settings(data), status=str(data.get("status", "failed")),
              reason=str(data.get("reason", "")), created=float(data.get("created", 0.0)),
              model_name=str(data.get("model_name", "")), legacy=True,
              project=str(data.get("project", "") or ""))
    if run.status not in STATUSES:
        run.status, run.reason = "failed", f"unknown status {run.status!r}"
    return run


def _legacy_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Settings of a legacy ``run.json``: format 2 kept a TrainConfig as JSON, format 1
    the Studio's own names (translated here)."""
    if isinstance(data.get("config"), dict):
        return dict(data["config"])
    old = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    tokenizer = {"bpe": f"bpe:{old.get('bpe_vocab', 1024)}",
                 "file": str(old.get("tokenizer_path", ""))}.get(old.get("tokenizer_kind"), "byte")
    keep = ("batch_size", "seq_len", "lr", "steps", "device", "eval_every", "sample_every",
            "checkpoint_every", "seed")
    settings = {k: old[k] for k in keep if k in old}
    settings["data"] = (str(old.get("data_path") or "builtin")
                        if old.get("data_kind", "builtin") != "builtin" else "builtin")
    settings["tokenizer"] = tokenizer
    settings["use_amp"] = old.get("precision") != "fp32"
    settings["threads"] = old.get("threads") or None
    return settings  # partial: the Studio fills the rest from its defaults


def _write_legacy(run: Run) -> None:
    """A legacy folder keeps its format: its status goes back into ``run.json``."""
    import tempfile

    data = {"format": 2, "name": run.name, "model_name": run.model_name,
            "created": run.created, "status": run.status, "reason": run.reason,
            "project": run.project, "config": run.settings}
    fd, tmp = tempfile.mkstemp(dir=run.path, prefix=".run-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, run.path / layout.RUN_RECORD)


class RunStore:
    """The folder of runs (one per project, or one shared by unsaved models).

    Args:
        root: the folder that holds one sub-folder per run.
    """

    run_class: type[Run] = Run

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    def new_folder(self, model_name: str) -> Path:
        """A fresh, uniquely named run folder (``20260101-120000-GPT2``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", model_name or "model").strip("-") or "model"
        path = self.root / f"{stamp}-{slug}"
        suffix = 1
        while path.exists():
            suffix += 1
            path = self.root / f"{stamp}-{slug}-{suffix}"
        path.mkdir()
        return path

    def unique_name(self, name: str) -> str:
        """``name`` made unique among this store's runs with " (2)", " (3)"..."""
        taken = {run.name for run in self.list()}
        base, count = name, 1
        while name in taken:
            count += 1
            name = f"{base} ({count})"
        return name

    def create(self, model_name: str, settings: dict[str, Any], graph: Any,
               name: str = "", project: str = "") -> Run:
        """Make a new run folder holding its record and the document to train.

        The settings are changed to name the folder's own document as the source, the
        folder as ``out`` and stdout as ``events`` (the Studio copies the stream into
        ``events.jsonl``); the child reads them from the record (``--config``).

        Args:
            model_name: the model's name (the folder name and labels come from it).
            settings: the training settings (a ``TrainConfig`` as JSON).
            graph: the document to train (saved into the folder; the child replaces it
                with the document actually trained, e.g. the trial copy).
            name: what the runs list shows; made unique; empty for "<model> · <time>".
            project: the project the run belongs to (:func:`project_key`), recorded so a
                shared runs folder lists each project's own runs.
        """
        import olm.graph

        path = self.new_folder(model_name)
        run = self.run_class(
            path=path, name=self.unique_name(name) if name else
            f"{model_name or 'model'} · {time.strftime('%H:%M:%S')}",
            settings={**settings, "source": str(path / layout.MODEL_DOCUMENT),
                      "out": str(path), "events": "-", "resume": None},
            status="running", created=time.time(), model_name=model_name,
            project=project)
        olm.graph.save(graph, run.graph_path)
        run.save()
        return run

    def list(self, project: str | None = None) -> list[Run]:
        """Every readable run, oldest first; unreadable folders are skipped.

        With ``project``, only the runs whose record names it (and runs that name none,
        made before runs were kept per project).
        """
        if not self.root.is_dir():
            return []
        runs = []
        for path in sorted(self.root.iterdir()):
            if not path.is_dir() or path.is_symlink():
                continue
            if not ((path / layout.RECORD).is_file() or (path / layout.RUN_RECORD).is_file()):
                continue
            try:
                run = self.run_class.load(path)
            except (OLMError, OSError, ValueError, TypeError):
                continue
            if project is None or run.project in ("", project):
                runs.append(run)
        return sorted(runs, key=lambda r: (r.created, r.id))
