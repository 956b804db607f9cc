"""Showing the lesson's 736M-parameter MoE model never allocates its weights.

The newcomer's Studio held 3–4.3 GB with the lesson's last model open and not training
(issue 24, item 4). Here the lesson is made through its "Show me" buttons, then the Train
workspace, its tabs and the Design workspace's bottom tabs are visited, while a sampler
reads the resident memory of the window's process and of the check process (which builds
each model on the meta device) every few milliseconds. The model's weights in float32
would be 4 bytes × its parameter count (2.9 GB): neither process may grow by a third of
that.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed

import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from waiting import WAIT_MS  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import drive  # noqa: E402
import test_lesson_journey as journey  # noqa: E402

_lesson = journey._lesson
window = journey.window  # the journey's fixture: own settings, runs, caches, no dialogs

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _resident(pid: int | None) -> int:
    """Resident bytes of ``pid`` (0 when it has ended or is not known)."""
    if pid is None:
        return 0
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class _Sampler:
    """The largest resident size seen, per process, sampled on a thread every 5 ms."""

    def __init__(self, pids) -> None:  # noqa: ANN001 - a callable giving the pids now
        self.pids, self.peak, self.start = pids, {}, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids().items():
                size = _resident(pid)
                self.start.setdefault(name, size)
                self.peak[name] = max(self.peak.get(name, 0), size)
            time.sleep(0.005)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_the_lessons_moe_model_is_shown_without_its_weights(qtbot, window):
    from olm.graph import stats
    from olm_studio.checker.client import check_process

    w = window
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    check_process().ask({"kind": "export", "graph": w.controller.graph.to_dict()})  # warm
    with _Sampler(lambda: {"window": os.getpid(), "checks": check_process().pid}) as seen:
        _lesson(qtbot, w)
        total = stats(w.controller.graph).total_params
        drive.key(qtbot, w, "Ctrl+2")
        qtbot.waitUntil(lambda: not w.train.checks.pending, timeout=WAIT_MS)
        for title in ("Runs", "Samples", "Telemetry", "Export"):
            drive.show_tab(qtbot, w, title)
        drive.key(qtbot, w, "Ctrl+1")
        for title in ("Summary", "Code", "Diagnostics"):
            drive.show_tab(qtbot, w, title)
        qtbot.waitUntil(lambda: not w.train.checks.pending and w.train.export_view.hf_checked,
                        timeout=WAIT_MS)  # the checks that followed have answered
    weights = 4 * total
    assert total > 500e6, f"the lesson's last model has {total:,} parameters"
    for name in ("window", "checks"):
        grew = seen.peak[name] - seen.start[name]
        assert grew < weights / 3, (f"the {name} process grew by {grew / 1e9:.2f} GB "
                                    f"(the weights are {weights / 1e9:.2f} GB)")
