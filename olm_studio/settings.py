"""Where the Studio keeps what outlives a session: window state, theme, recent files,
the first-start flag and the crash-recovery file.

Everything goes through one :class:`StudioSettings` so tests can point it at a temporary
folder (``OLM_STUDIO_HOME``) and never touch the user's real settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

__all__ = ["StudioSettings", "studio_home"]

MAX_RECENT = 10


def studio_home() -> Path:
    """The folder for settings and recovery files (``$OLM_STUDIO_HOME`` overrides it)."""
    override = os.environ.get("OLM_STUDIO_HOME")
    home = Path(override) if override else Path(platformdirs.user_config_dir("olm-studio", "OLM"))
    home.mkdir(parents=True, exist_ok=True)
    return home


class StudioSettings:
    """Typed access to the Studio's persistent settings (an INI file in :func:`studio_home`).

    Args:
        home: the folder to keep the settings in; defaults to :func:`studio_home`.
    """

    def __init__(self, home: Path | None = None) -> None:
        self.home = Path(home) if home is not None else studio_home()
        self.home.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(self.home / "settings.ini"), QSettings.Format.IniFormat)

    # -- window -----------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        """The saved (geometry, dock state) of the main window, or Nones on first start."""
        geo = self._qs.value("window/geometry")
        state = self._qs.value("window/state")
        return (geo if isinstance(geo, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the main window's geometry and dock layout for the next start."""
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)
        self._qs.sync()

    # -- preferences ------------------------------------------------------------------
    @property
    def theme(self) -> str:
        """The chosen theme ("dark" or "light")."""
        return str(self._qs.value("ui/theme", "dark"))

    @theme.setter
    def theme(self, value: str) -> None:
        self._qs.setValue("ui/theme", value)
        self._qs.sync()

    @property
    def first_start(self) -> bool:
        """True until the app has been started once (then the hint card stops showing)."""
        return str(self._qs.value("ui/started", "false")) != "true"

    def mark_started(self) -> None:
        """Record that the first start has happened."""
        self._qs.setValue("ui/started", "true")
        self._qs.sync()

    @property
    def last_file(self) -> str | None:
        """The project open when the app last closed (reopened on the next start)."""
        value = self._qs.value("files/last", "")
        return str(value) or None

    @last_file.setter
    def last_file(self, value: str | None) -> None:
        self._qs.setValue("files/last", value or "")
        self._qs.sync()

    # -- recent files -----------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """Recently opened or saved projects, newest first, only those that still exist."""
        raw = self._qs.value("files/recent", [])
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return [p for p in items if p and Path(p).exists()]

    def add_recent(self, path: str | Path) -> None:
        """Put ``path`` at the top of the recent-files list."""
        path = str(Path(path).resolve())
        items = [p for p in self.recent_files() if p != path]
        self._qs.setValue("files/recent", [path, *items][:MAX_RECENT])
        self._qs.sync()

    # -- crash recovery ---------------------------------------------------------------
    @property
    def recovery_path(self) -> Path:
        """The autosave file: present only while a session with unsaved edits runs."""
        return self.home / "recovery.olm.json"

    @property
    def recovery_meta_path(self) -> Path:
        """Beside the autosave: the path of the project the autosave belongs to."""
        return self.home / "recovery.source"

    # -- preferences of the Settings dialog -------------------------------------------
    def _get(self, key: str, default: str) -> str:
        return str(self._qs.value(key, default))

    def _put(self, key: str, value: object) -> None:
        self._qs.setValue(key, value)
        self._qs.sync()

    def panel_height(self, key: str) -> int | None:
        """A bottom tab's height the person chose ("design/Code"), or None."""
        try:
            value = int(self._get(f"panels/height/{key}", "0"))
        except ValueError:
            return None
        return value if value > 0 else None

    def set_panel_height(self, key: str, height: int) -> None:
        """Remember a bottom tab's height for a workspace ("design/Code")."""
        self._put(f"panels/height/{key}", int(height))

    @property
    def default_device(self) -> str:
        """The device new training runs start on ("auto", "cpu", "cuda", "mps")."""
        return self._get("train/device", "auto")

    @default_device.setter
    def default_device(self, value: str) -> None:
        self._put("train/device", value)

    @property
    def default_precision(self) -> str:
        """The precision new training runs use ("auto": bf16 autocast on CUDA, or "fp32")."""
        return self._get("train/precision", "auto")

    @default_precision.setter
    def default_precision(self, value: str) -> None:
        self._put("train/precision", value)

    @property
    def runs_folder(self) -> str | None:
        """A folder chosen for all training runs (None: beside each project, see TrainPanel)."""
        return self._get("train/runs_folder", "") or None

    @runs_folder.setter
    def runs_folder(self, value: str | None) -> None:
        self._put("train/runs_folder", str(value or ""))

    def effective_runs_folder(self) -> Path:
        """Where runs without a project, and crash reports, go: the chosen folder or the default."""
        if self.runs_folder:
            return Path(self.runs_folder)
        from olm_studio.training.runs import default_runs_root

        return default_runs_root()

    @property
    def autosave_seconds(self) -> int:
        """Seconds between autosaves of unsaved edits to the recovery file (1 to 3600)."""
        try:
            value = int(self._get("files/autosave_seconds", "5"))
        except ValueError:
            value = 5
        return min(max(value, 1), 3600)

    @autosave_seconds.setter
    def autosave_seconds(self, value: int) -> None:
        self._put("files/autosave_seconds", int(value))

    @property
    def telemetry(self) -> bool:
        """Per-node training telemetry on the canvas while a run goes (local only, never sent)."""
        return self._get("train/telemetry", "true") == "true"

    @telemetry.setter
    def telemetry(self, value: bool) -> None:
        self._put("train/telemetry", "true" if value else "false")

    @property
    def show_welcome(self) -> bool:
        """Show the welcome page when the Studio starts without a file."""
        return self._get("ui/show_welcome", "true") == "true"

    @show_welcome.setter
    def show_welcome(self, value: bool) -> None:
        self._put("ui/show_welcome", "true" if value else "false")
