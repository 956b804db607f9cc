"""A Studio session that crashes: run as a child process by test_crash.py.

It starts the real app (``olm_studio.app.main``), makes an undoable edit through the
menus' code path, then an unhandled exception happens in a Qt slot. When the crash
dialog appears, its text is written to ``dialog.txt`` and "Quit" is clicked.
"""

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

OUT = Path(sys.argv[1])


def window():
    return next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")


def edit_then_crash():
    w = window()
    w.canvas.edits.rename_model("CrashedModel")
    w.actions_by_key["fit"].trigger()
    QTimer.singleShot(0, boom)
    QTimer.singleShot(0, answer_dialog)


def boom():
    raise RuntimeError("simulated failure in a slot")


def answer_dialog():
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(20, answer_dialog)
        return
    (OUT / "dialog.txt").write_text(box.objectName() + "\n" + box.text(), encoding="utf-8")
    quit_button = next(b for b in box.buttons() if b.text() == "Quit")
    quit_button.click()


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    QTimer.singleShot(0, edit_then_crash)
    from olm_studio.app import main

    raise SystemExit(main(["GPT2"]))
