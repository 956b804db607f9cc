"""A second OLM Studio started while the first runs does not say the first "did not shut
down cleanly" (issue 24 item 9): the recovery file's owner is recorded, and a running
owner is told from a crashed one."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtWidgets import QMessageBox
from waiting import CHILD_S

from olm.graph.project import save
from olm_studio.instance import is_live, owner_path, owner_record
from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=CHILD_S)
    return child.pid


def test_live_and_dead_owners_are_told_apart():
    assert is_live(owner_record(os.getppid()))  # another running process
    assert not is_live(owner_record())  # this process: an earlier window of it
    assert not is_live(f"{_dead_pid()} -")
    assert not is_live("not a record") and not is_live("")
    pid, start = owner_record(os.getppid()).split()
    if start != "-":  # a reused id: same number, another start time
        assert not is_live(f"{pid} {int(start) + 1}")


def _leave_recovery(home, owner: str, h) -> None:
    settings = StudioSettings(home)
    save(h.tiny_graph(), settings.recovery_path)
    settings.recovery_meta_path.write_text("", encoding="utf-8")
    owner_path(settings.recovery_path).write_text(owner, encoding="ascii")


def _asked(monkeypatch) -> list[str]:
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_a_running_first_instance_is_not_called_a_crash(qtbot, studio_home, monkeypatch, h):
    _leave_recovery(studio_home, owner_record(os.getppid()), h)  # the first one, running
    asked = _asked(monkeypatch)
    second = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(second)
    second.open_initial(None)
    assert not second.files.offer_recovery()
    assert asked == []
    assert StudioSettings(studio_home).recovery_path.exists()  # the first one's work stays
    assert "Another OLM Studio is running" in second.statusBar().currentMessage()
    # and the second one's autosave never overwrites it
    second.canvas.edits.replace(h.find(second.controller.graph, "LayerNorm"), "RMSNorm")
    second.files.autosave()
    assert owner_path(StudioSettings(studio_home).recovery_path).read_text() == owner_record(
        os.getppid())
    second.files.stop_autosave(remove=True)
    assert StudioSettings(studio_home).recovery_path.exists()


def test_a_crashed_first_instance_is_offered_back(qtbot, studio_home, monkeypatch, h):
    _leave_recovery(studio_home, f"{_dead_pid()} -", h)
    asked = _asked(monkeypatch)
    second = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(second)
    second.open_initial(None)
    assert not second.files.offer_recovery()  # answered No
    assert asked and "did not shut down cleanly" in asked[0]
    assert not owner_path(StudioSettings(studio_home).recovery_path).exists()
