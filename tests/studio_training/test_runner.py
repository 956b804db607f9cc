"""TrainProcess reads a child's event lines as they come and always ends with a status.

These tests drive the runner with small stand-in children (python -c) to pin down the
protocol edge cases: lines split across writes, noise on stdout, crashes, exit codes.
The real `olm train` child is exercised in test_panel_training.py.
"""

import json
import sys
import textwrap

from waiting import WAIT_MS

from olm.train.events import EndEvent, Event, StartEvent, StepEvent
from olm_studio.training.runner import TrainProcess, failure_reason


def _child(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def _run(qtbot, tmp_path, code: str, stop_after_first: bool = False, on_event=None):
    proc = TrainProcess(_child(code))
    events, ended = [], []
    proc.event.connect(events.append)
    if on_event is not None:
        proc.event.connect(on_event)
    proc.ended.connect(lambda s, r: ended.append((s, r)))
    if stop_after_first:
        proc.event.connect(lambda _e: proc.stop())
    proc.start([], tmp_path / "events.jsonl", tmp_path / "stderr.log")
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    assert not proc.is_running()
    return events, ended[0]


def test_lines_split_across_writes_arrive_whole_and_noise_is_dropped(qtbot, tmp_path):
    # the child writes the rest of the step line only after the parent has read the start
    # line (a handshake through a file, not a sleep): a later write on any machine
    events, (status, reason) = _run(qtbot, tmp_path, f"""
        import os, sys, time
        w = sys.stdout
        w.write('{{"event": "start", "steps": 2, "time": 1.0}}\\n'); w.flush()
        w.write('progress bar noise\\n{{"event": "step", "st'); w.flush()
        while not os.path.exists({str(tmp_path / "go")!r}):
            time.sleep(0.01)
        w.write('ep": 1, "loss": 2.5, "time": 2.0}}\\n'); w.flush()
        w.write('{{"event": "end", "status": "finished", "time": 3.0}}')  # no trailing newline
    """, on_event=lambda _e: (tmp_path / "go").touch())
    assert [type(e) for e in events] == [StartEvent, StepEvent, EndEvent]
    assert events[1] == StepEvent(step=1, loss=2.5, time=2.0)
    assert (status, reason) == ("finished", "")
    saved = [Event.from_json(json.loads(line))
             for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert saved == events


def test_nonzero_exit_without_end_is_failed_with_the_childs_error_line(qtbot, tmp_path):
    _events, (status, reason) = _run(qtbot, tmp_path, """
        import sys
        print('Traceback (most recent call last):', file=sys.stderr)
        print('ValueError: the corpus is empty', file=sys.stderr)
        sys.exit(3)
    """)
    assert status == "failed"
    assert reason == "ValueError: the corpus is empty"
    assert "the corpus is empty" in (tmp_path / "stderr.log").read_text()


def test_killed_child_is_failed(qtbot, tmp_path):
    _events, (status, reason) = _run(qtbot, tmp_path, """
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert status == "failed" and "killed" in reason


def test_stop_sends_sigterm_and_the_end_event_decides(qtbot, tmp_path):
    events, (status, reason) = _run(qtbot, tmp_path, """
        import signal, sys, time, json
        def on_term(*_):
            print(json.dumps({"event": "end", "status": "stopped", "reason": "SIGTERM"}))
            sys.exit(0)
        signal.signal(signal.SIGTERM, on_term)
        print(json.dumps({"event": "start"}), flush=True)
        while True:  # only the SIGTERM ends this child
            time.sleep(1)
    """, stop_after_first=True)
    assert (status, reason) == ("stopped", "SIGTERM")


def test_missing_program_fails_cleanly(qtbot, tmp_path):
    proc = TrainProcess(["/nonexistent/python-for-olm"])
    ended = []
    proc.ended.connect(lambda s, r: ended.append((s, r)))
    proc.start([], tmp_path / "e.jsonl", tmp_path / "err.log")
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT_MS)
    assert ended[0][0] == "failed" and "could not start" in ended[0][1]


def test_failure_reason_prefers_the_olm_error_line():
    tail = ["some log", "olm train: error: vocab_size 100 is smaller than 256", ""]
    assert failure_reason(tail, 2, False) == "olm train: error: vocab_size 100 is smaller than 256"
    assert failure_reason([], 9, True) == "the training process was killed or crashed (SIGKILL)"
    assert "code 4" in failure_reason([], 4, False)
