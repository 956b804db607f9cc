"""Edit → Settings…: the preferences a person sets once.

Theme, the default device and precision of new training runs, the runs folder, the
autosave interval and per-node training telemetry. They are stored by
:class:`~olm_studio.settings.StudioSettings` (an INI file in the platform's config folder,
found with ``platformdirs``); :meth:`SettingsDialog.apply` writes them only on OK.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from olm_studio.settings import StudioSettings

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["SettingsDialog", "THEMES", "apply_to_window"]

THEMES = ("dark", "light")


class SettingsDialog(QDialog):
    """The Settings dialog, filled from ``settings``.

    Args:
        settings: where the values come from and go to.
        parent: the owning widget.
    """

    def __init__(self, settings: StudioSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from olm_studio.training.form import DEVICES, PRECISIONS

        self.settings = settings
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)

        self.theme = QComboBox()
        self.theme.addItems(list(THEMES))
        self.theme.setCurrentText(settings.theme)
        self.device = QComboBox()
        self.device.addItems(list(DEVICES))
        self.device.setCurrentText(settings.default_device)
        self.precision = QComboBox()
        self.precision.addItems(list(PRECISIONS))
        self.precision.setCurrentText(settings.default_precision)

        self.runs_folder = QLineEdit(settings.runs_folder or "")
        self.runs_folder.setPlaceholderText("beside each project (NAME.runs/)")
        self.runs_folder.setClearButtonEnabled(True)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        runs_row = QHBoxLayout()
        runs_row.addWidget(self.runs_folder, 1)
        runs_row.addWidget(browse)

        self.autosave = QSpinBox()
        self.autosave.setRange(1, 3600)
        self.autosave.setSuffix(" s")
        self.autosave.setValue(settings.autosave_seconds)
        self.autosave.setToolTip("How often unsaved edits are written to the recovery file")
        self.telemetry = QCheckBox("Show per-node training telemetry on the canvas")
        self.telemetry.setToolTip("Figures stay on this computer; nothing is ever sent anywhere")
        self.telemetry.setChecked(settings.telemetry)
        self.welcome = QCheckBox("Show the welcome page at start")
        self.welcome.setChecked(settings.show_welcome)

        form = QFormLayout()
        form.addRow("Theme", self.theme)
        form.addRow("Default device", self.device)
        form.addRow("Default precision", self.precision)
        form.addRow("Runs folder", runs_row)
        form.addRow("Autosave every", self.autosave)
        form.addRow("", self.telemetry)
        form.addRow("", self.welcome)
        where = QLabel(f"Stored in {settings.home / 'settings.ini'}")
        where.setObjectName("settingsWhere")
        where.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(where)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Runs folder", self.runs_folder.text())
        if folder:
            self.runs_folder.setText(folder)

    def apply(self) -> None:
        """Store the dialog's values in the settings."""
        s = self.settings
        s.theme = self.theme.currentText()
        s.default_device = self.device.currentText()
        s.default_precision = self.precision.currentText()
        s.runs_folder = self.runs_folder.text().strip() or None
        s.autosave_seconds = self.autosave.value()
        s.telemetry = self.telemetry.isChecked()
        s.show_welcome = self.welcome.isChecked()


def apply_to_window(window: MainWindow, theme: bool = True) -> None:
    """Make ``window`` follow its settings: theme, autosave interval, runs folder, Train defaults.

    A chosen runs folder is passed on as ``OLM_RUNS_DIR`` (which
    :func:`olm_studio.training.runs.default_runs_root` honours), so runs started from the
    Studio and from its ``olm train`` child land in the same place.
    """
    s = window.settings
    if theme and s.theme != window.theme:  # at start, --theme may override the saved one
        window.set_theme(s.theme)
    window.files.autosave_timer.setInterval(s.autosave_seconds * 1000)
    if s.runs_folder:
        os.environ["OLM_RUNS_DIR"] = s.runs_folder
    elif os.environ.get("OLM_RUNS_DIR") == getattr(window, "_applied_runs_folder", None):
        os.environ.pop("OLM_RUNS_DIR", None)  # only undo what we set, never the user's own
    window._applied_runs_folder = s.runs_folder
    train = window.train
    if hasattr(train, "set_project_path"):
        train.set_project_path(window.controller.path)
    form = getattr(train, "form", None)
    if form is not None and hasattr(form, "device"):
        form.device.setCurrentText(s.default_device)
        form.precision.setCurrentText(s.default_precision)
