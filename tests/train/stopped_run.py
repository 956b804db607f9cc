"""Stopping a real ``olm`` child with a signal once it has trained a step: the one copy of
that wait, for the tests of stop signals and of resuming exactly after a stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from waiting import CHILD_S

from olm.train.events import StepEvent, read_events

REPO = Path(__file__).resolve().parents[2]


def stopped_child(argv: list[str], events: Path, sig: signal.Signals) -> Any:
    """Run ``olm ARGV`` as a child (ARGV writes its events to ``events``), send it ``sig``
    after its first step event and return its end event, checked to say "stopped".

    The signal waits for the event, however long the child takes to start, so a slow
    machine delays the test but cannot change what it sees.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "olm.cli.main", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + CHILD_S
        while not any(isinstance(e, StepEvent) for e in read_events(events)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the child wrote no step event"
            time.sleep(0.05)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=CHILD_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    end = read_events(events)[-1]
    assert end.KIND == "end" and end.status == "stopped", end
    return end
