"""Edit → Settings…: values are stored in the settings file and applied to the window."""

import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from olm_studio.settings import StudioSettings
from olm_studio.settings_dialog import SettingsDialog


def _when_dialog_opens(qtbot, fill):
    """Fill the Settings dialog through its widgets once the menu action has opened it."""
    done = []

    def step():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(20, step)
            return
        fill(dialog)
        done.append(dialog)

    QTimer.singleShot(0, step)
    return done


def test_settings_dialog_stores_and_applies_every_preference(window, qtbot, studio_home,
                                                             tmp_path, monkeypatch):
    monkeypatch.delenv("OLM_RUNS_DIR")
    runs = tmp_path / "my runs"

    def fill(d):
        d.theme.setCurrentText("light")
        d.device.setCurrentText("cpu")
        d.precision.setCurrentText("fp32")
        d.runs_folder.clear()
        qtbot.keyClicks(d.runs_folder, str(runs))
        d.autosave.setValue(30)
        d.telemetry.click()
        qtbot.mouseClick(d.buttons.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)

    done = _when_dialog_opens(qtbot, fill)
    window.actions_by_key["settings"].trigger()
    assert done
    try:
        saved = StudioSettings(studio_home)  # a fresh reader: it is on disk
        assert (saved.theme, saved.default_device, saved.default_precision) == \
            ("light", "cpu", "fp32")
        assert saved.runs_folder == str(runs) and saved.autosave_seconds == 30
        assert saved.telemetry is False
        assert (studio_home / "settings.ini").exists()
        # applied: theme, autosave interval, runs folder, Train form defaults
        assert window.theme == "light"
        assert window.files.autosave_timer.interval() == 30_000
        assert os.environ["OLM_RUNS_DIR"] == str(runs)
        if hasattr(window.train, "runs_root"):
            assert window.train.runs_root() == runs
        if hasattr(window.train, "form"):
            assert window.train.form.device.currentText() == "cpu"
            assert window.train.form.precision.currentText() == "fp32"
    finally:
        os.environ.pop("OLM_RUNS_DIR", None)


def test_cancel_changes_nothing(window, qtbot, studio_home):
    def fill(d):
        d.autosave.setValue(99)
        qtbot.mouseClick(d.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                         Qt.MouseButton.LeftButton)

    done = _when_dialog_opens(qtbot, fill)
    window.commands.run("settings")
    assert done and StudioSettings(studio_home).autosave_seconds == 5


def test_settings_live_in_the_platform_config_folder(monkeypatch, tmp_path):
    import platformdirs

    from olm_studio.settings import studio_home

    monkeypatch.delenv("OLM_STUDIO_HOME")
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *a, **k: str(tmp_path / "cfg"))
    assert studio_home() == tmp_path / "cfg"


def test_settings_reject_out_of_range_autosave(studio_home):
    s = StudioSettings(studio_home)
    s.autosave_seconds = 0
    assert s.autosave_seconds == 1
    s._put("files/autosave_seconds", "soon")
    assert s.autosave_seconds == 5
