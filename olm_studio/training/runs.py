"""Run folders: every training run kept on disk with what it needs to be compared later.

A run folder holds::

    run.json          name, creation time, settings (a TrainConfig), status and reason
    train.json        the TrainConfig file the child reads (`olm train --config`)
    model.olm.json    the exact graph the run trained (so runs can be diffed)
    events.jsonl      the `olm train` event stream, one JSON object per line
    stderr.log        what the child wrote to stderr (the reason when it crashes)
    checkpoint/       `olm train --out`: weights, graph, tokenizer, trainer state

Nothing here imports Qt; the panel and the tests share it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olm.store import layout
from olm.train import TrainConfig
from olm.train.events import read_events
from olm_studio.training.history import RunHistory
from olm_studio.training.trial import default_config

__all__ = ["Run", "RunStore", "STATUSES", "default_runs_root"]

STATUSES = ("running", "finished", "stopped", "failed")
_INTERRUPTED = "interrupted: the Studio closed or crashed while the run was going"


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


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that a crash mid-write never leaves a torn ``run.json``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".run-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)


def _config_of(data: dict[str, Any]) -> TrainConfig:
    """The run's TrainConfig from ``run.json``; format 1 stored the Studio's old settings."""
    from olm.core.errors import OLMError

    if isinstance(data.get("config"), dict):
        try:
            return TrainConfig.from_json(data["config"])
        except (OLMError, TypeError):
            return default_config()
    old = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    tokenizer = {"bpe": f"bpe:{old.get('bpe_vocab', 1024)}",
                 "file": str(old.get("tokenizer_path", ""))}.get(old.get("tokenizer_kind"), "byte")
    keep = ("batch_size", "seq_len", "lr", "steps", "device", "eval_every", "sample_every",
            "checkpoint_every", "seed")
    try:
        return dataclasses.replace(
            default_config(), **{k: old[k] for k in keep if k in old},
            data=str(old.get("data_path") or "builtin") if old.get("data_kind", "builtin")
            != "builtin" else "builtin", tokenizer=tokenizer,
            use_amp=old.get("precision") != "fp32", threads=old.get("threads") or None)
    except (OLMError, TypeError):
        return default_config()


@dataclass
class Run:
    """One run folder and what is known about it.

    Args:
        path: the run folder.
        name: what the runs list shows ("GPT2 · 12:03").
        config: the training settings it ran with (the library's TrainConfig).
        status: "running", "finished", "stopped" or "failed".
        reason: why it failed or stopped (shown beside the status).
        created: seconds since the epoch.
        model_name: the model's name when it was started, for labels.
    """

    path: Path
    name: str
    config: TrainConfig = field(default_factory=default_config)
    status: str = "running"
    reason: str = ""
    created: float = 0.0
    model_name: str = ""

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def graph_path(self) -> Path:
        return self.path / layout.MODEL_DOCUMENT

    @property
    def events_path(self) -> Path:
        return self.path / layout.EVENTS

    @property
    def config_path(self) -> Path:
        return self.path / "train.json"

    @property
    def stderr_path(self) -> Path:
        return self.path / layout.STDERR_LOG

    @property
    def checkpoint_dir(self) -> Path:
        return self.path / layout.STUDIO_CHECKPOINT_DIR

    def save(self) -> None:
        """Write ``run.json`` (atomically)."""
        _write_json_atomic(self.path / layout.RUN_RECORD, {
            "format": 2,
            "name": self.name,
            "model_name": self.model_name,
            "created": self.created,
            "status": self.status,
            "reason": self.reason,
            "config": self.config.to_json(),
        })

    def write_config(self) -> Path:
        """Write ``train.json`` (what ``olm train --config`` reads) and return its path."""
        self.config.write_file(self.config_path)
        return self.config_path

    def set_status(self, status: str, reason: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"status {status!r} must be one of {', '.join(STATUSES)}")
        self.status, self.reason = status, reason
        self.save()

    def history(self) -> RunHistory:
        """The run's curves, read from its events file."""
        return RunHistory().feed_all(read_events(self.events_path))

    def latest_checkpoint(self) -> Path | None:
        """The newest checkpoint folder that holds weights, or ``None`` before the first."""
        # The events name each checkpoint as it is completed, newest last; relative
        # paths are relative to the run folder (the child's working directory).
        for name in reversed(self.history().checkpoints):
            path = Path(name) if Path(name).is_absolute() else self.path / name
            if (path / layout.WEIGHTS).is_file():
                return path
        from olm.core.errors import OLMError
        from olm.store.checkpoint import resolve_checkpoint

        try:
            return resolve_checkpoint(self.checkpoint_dir)
        except OLMError:
            return None

    def graph(self) -> Any:
        """The graph the run trained (an ``olm.graph`` document)."""
        import olm.graph

        return olm.graph.load(self.graph_path)

    @classmethod
    def load(cls, path: Path) -> Run:
        """Read a run folder; a run left "running" by a dead Studio reads as failed."""
        data = json.loads((path / layout.RUN_RECORD).read_text(encoding="utf-8"))
        run = cls(
            path=path,
            name=str(data.get("name", path.name)),
            config=_config_of(data),
            status=str(data.get("status", "failed")),
            reason=str(data.get("reason", "")),
            created=float(data.get("created", 0.0)),
            model_name=str(data.get("model_name", "")),
        )
        if run.status not in STATUSES:
            run.status, run.reason = "failed", f"unknown status {run.status!r}"
        return run

    def settle_stale(self) -> None:
        """Mark a run that says "running" but has no process as finished from its events."""
        if self.status != "running":
            return
        end = self.history().end
        if end is not None:
            status = end.status
            self.set_status(status if status in STATUSES else "failed", end.reason or "")
        else:
            self.set_status("failed", _INTERRUPTED)


class RunStore:
    """The folder of runs for one project.

    Args:
        root: the folder that holds one sub-folder per run.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    def create(self, model_name: str, config: TrainConfig, graph: Any, name: str = "") -> Run:
        """Make a new run folder holding the settings and the exact graph to train.

        The run's config names the folder's own graph, checkpoint folder and stdout as
        its source, ``out`` and ``events``; it is written as ``train.json`` for the child.

        Args:
            model_name: the model's name (the folder name and labels come from it).
            config: the training settings.
            graph: the document to train (saved into the folder).
            name: what the runs list shows ("GPT2 +RMSNorm +GQA"); made unique among this
                store's runs with " (2)", " (3)"...; empty for "<model> · <time>".
        """
        import olm.graph

        self.root.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", model_name or "model").strip("-") or "model"
        path = self.root / f"{stamp}-{slug}"
        suffix = 1
        while path.exists():
            suffix += 1
            path = self.root / f"{stamp}-{slug}-{suffix}"
        path.mkdir()
        if name:
            taken = {run.name for run in self.list()}
            base, count = name, 1
            while name in taken:
                count += 1
                name = f"{base} ({count})"
        run = Run(path=path, name=name or f"{model_name or 'model'} · {time.strftime('%H:%M:%S')}",
                  config=config, status="running", created=time.time(),
                  model_name=model_name)
        run.config = dataclasses.replace(config, source=str(run.graph_path),
                                         out=str(run.checkpoint_dir), events="-", resume=None)
        olm.graph.save(graph, run.graph_path)
        run.save()
        return run

    def list(self) -> list[Run]:
        """Every readable run, oldest first; unreadable folders are skipped."""
        if not self.root.is_dir():
            return []
        runs = []
        for path in sorted(self.root.iterdir()):
            if (path / layout.RUN_RECORD).is_file():
                try:
                    runs.append(Run.load(path))
                except (OSError, ValueError):
                    continue
        return sorted(runs, key=lambda r: (r.created, r.id))
