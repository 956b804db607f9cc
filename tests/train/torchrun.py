"""Run a script as two CPU ranks (gloo) under ``torch.distributed.run``, for the DDP tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from waiting import CHILD_S

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def run_two_ranks(script: Path | str, *args: str) -> subprocess.CompletedProcess:
    """Run ``script args`` on two ranks; fail with both ranks' whole output if either fails.

    ``PYTHONFAULTHANDLER`` makes a rank that dies of a signal print where it was.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(HERE)]),
               OMP_NUM_THREADS="1", PYTHONFAULTHANDLER="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--standalone", str(script), *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=CHILD_S)
    assert proc.returncode == 0, (f"torchrun exited with {proc.returncode}\n"
                                  f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}")
    return proc
