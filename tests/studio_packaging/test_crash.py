"""A real crash in a child process keeps the work: recovery file, report, dialog, recovery."""

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from waiting import CHILD_S

from olm.graph.project import load
from olm_studio.crash import CRASH_EXIT_CODE
from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings

CHILD = Path(__file__).with_name("crash_child.py")


def test_crash_in_child_writes_report_and_next_start_offers_the_work_back(
        qtbot, studio_home, tmp_path, monkeypatch):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(CHILD), str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=CHILD_S)
    assert done.returncode == CRASH_EXIT_CODE, done.stderr[-3000:]
    assert "RuntimeError: simulated failure in a slot" in done.stderr
    assert done.stderr.count("Traceback") == 1, done.stderr  # quitting raised nothing more

    # the dialog came after the files were written, and says where they are
    dialog = (tmp_path / "dialog.txt").read_text()
    assert dialog.startswith("crashDialog") and "Nothing was sent anywhere" in dialog
    reports = sorted((tmp_path / "runs" / "crash-reports").glob("crash-*.txt"))
    assert len(reports) == 1 and str(reports[0]) in dialog
    report = reports[0].read_text()
    assert "RuntimeError: simulated failure in a slot" in report
    assert "torch:" in report and "Qt:" in report  # versions
    assert "edit: " in report and "action: Fit to View" in report  # last actions
    assert "CrashedModel" in report and "unsaved edits" in report
    copies = list((tmp_path / "runs" / "crash-reports").glob("crash-*-model.olm.json"))
    assert len(copies) == 1 and load(copies[0]).name == "CrashedModel"

    # quitting from the dialog kept the recovery file
    settings = StudioSettings(studio_home)
    assert settings.recovery_path.exists()
    assert load(settings.recovery_path).name == "CrashedModel"

    # the next start offers it back
    asked = []

    def question(parent, title, text, *a, **k):
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.open_initial(None)
    w.show()
    w.start_session(welcome=True)
    try:
        assert w.welcome.isVisible()
        w.offer_recovery()
        assert asked == ["Recover unsaved work"]
        assert w.controller.graph.name == "CrashedModel" and w.controller.dirty
        assert not w.welcome.isVisible()  # the recovered model is shown, not the welcome
    finally:
        w.crash_handler.uninstall()
        w.files.stop_autosave(remove=True)


def test_keep_working_leaves_the_app_running_with_the_report_written(window, qtbot,
                                                                     monkeypatch, tmp_path):
    from olm_studio.crash import install_crash_handler

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    handler = install_crash_handler(window)
    try:
        window.canvas.edits.rename_model("Edited")
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        assert shown and handler.last_report is not None and handler.last_report.exists()
        assert window.settings.recovery_path.exists()  # saved before the dialog
        assert window.isVisible()
    finally:
        handler.uninstall()
