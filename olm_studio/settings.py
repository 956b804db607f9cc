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
