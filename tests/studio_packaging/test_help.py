"""Help → User Guide renders docs/guide.md with its images; About lists versions and copies."""

import torch
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from waiting import WAIT_MS

from olm_studio.help_dialogs import AboutDialog, guide_path


def test_user_guide_opens_from_help_menu_with_its_screenshots(window, qtbot):
    path = guide_path()
    assert path is not None and path.name == "guide.md"
    window.actions_by_key["guide"].trigger()
    dialog = window.help.guide
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    text = dialog.browser.toPlainText()
    assert "OLM Studio" in text and "Welcome" in text
    html = dialog.browser.toHtml()
    images = [line for line in path.read_text().splitlines() if line.startswith("![")]
    assert images, "the guide has screenshots"
    for line in images:
        src = line.split("(", 1)[1].rstrip(")")
        assert (path.parent / src).is_file(), src
        assert src in html
    dialog.close()


def test_about_lists_versions_and_runs_folder_and_copies_them(window, qtbot, tmp_path):
    seen = []

    def step():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AboutDialog):
            QTimer.singleShot(20, step)
            return
        seen.append(dialog.details.toPlainText())
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        seen.append(QGuiApplication.clipboard().text())
        dialog.reject()

    QTimer.singleShot(0, step)
    window.actions_by_key["about"].trigger()
    text, copied = seen
    assert "torch:" in text and torch.__version__ in text
    assert "CUDA:" in text and "Qt:" in text and "olm:" in text
    assert str(tmp_path / "runs") in text  # the runs folder (OLM_RUNS_DIR in the tests)
    assert copied == text
