"""The Studio's view of run folders: :mod:`olm.store.runs` with settings as a TrainConfig.

The run list, its folders and records belong to ``olm.store`` (one owner for runs on
disk); this module adds only what the Studio needs on top: the settings as the library's
:class:`~olm.train.TrainConfig`, the curves read from a run's events, and settling a run
left "running" by a Studio that closed. Nothing here imports Qt.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from olm.core.errors import OLMError
from olm.store import runs as store_runs
from olm.store.runs import INTERRUPTED, STATUSES, default_runs_root, project_key
from olm.train import TrainConfig
from olm.train.events import read_events
from olm_studio.training.history import RunHistory
from olm_studio.training.trial import default_config

__all__ = ["Run", "RunStore", "STATUSES", "default_runs_root", "project_key"]


def _config_of(settings: dict[str, Any]) -> TrainConfig:
    """A run's settings as a TrainConfig; partial or damaged ones fill in the defaults."""
    try:
        return TrainConfig.from_json(settings)
    except (OLMError, TypeError, ValueError):
        pass
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    try:
        return dataclasses.replace(default_config(), **{k: v for k, v in settings.items()
                                                        if k in names})
    except (OLMError, TypeError, ValueError):
        return default_config()


@dataclass
class Run(store_runs.Run):
    """One run folder (see :class:`olm.store.runs.Run`), with its settings as a TrainConfig.

    ``Run(path, name, config)`` takes the settings as a TrainConfig too, as it always has.
    """

    def __post_init__(self) -> None:
        if isinstance(self.settings, TrainConfig):
            self.settings = self.settings.to_json()

    @property
    def config(self) -> TrainConfig:
        return _config_of(self.settings)

    @config.setter
    def config(self, config: TrainConfig) -> None:
        self.settings = config.to_json()

    def write_config(self) -> Path:
        """Write the settings where ``olm train --config`` reads them; returns that path
        (the run record; ``train.json`` for a folder from before records)."""
        if self.legacy:
            self.config.write_file(self.config_path)
        else:
            self.save()
        return self.config_path

    def history(self) -> RunHistory:
        """The run's curves, read from its events file."""
        return RunHistory().feed_all(read_events(self.events_path))

    def latest_checkpoint(self) -> Path | None:
        """The newest checkpoint folder that holds weights, or ``None`` before the first."""
        # The events name each checkpoint as it is completed, newest last; relative
        # paths are relative to the run folder (the child's working directory).
        from olm.store import layout

        for name in reversed(self.history().checkpoints):
            path = Path(name) if Path(name).is_absolute() else self.path / name
            if (path / layout.WEIGHTS).is_file() and path.resolve().is_relative_to(
                    self.path.resolve()):
                return path
        return super().latest_checkpoint()

    def settle_stale(self) -> None:
        """Mark a run that says "running" but has no process as finished from its events."""
        if self.status != "running":
            return
        end = self.history().end
        if end is not None:
            status = end.status
            self.set_status(status if status in STATUSES else "failed", end.reason or "")
        else:
            self.set_status("failed", INTERRUPTED)


class RunStore(store_runs.RunStore):
    """The folder of runs for one project (see :class:`olm.store.runs.RunStore`)."""

    run_class = Run

    def create(self, model_name: str, config: TrainConfig | dict[str, Any], graph: Any,
               name: str = "", project: str = "") -> Run:
        """Make a new run folder holding its record and the exact graph to train."""
        settings = config.to_json() if isinstance(config, TrainConfig) else dict(config)
        return super().create(model_name, settings, graph, name,  # type: ignore[return-value]
                              project)
