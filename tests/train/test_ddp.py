"""DDP under torchrun: two CPU processes (gloo) stay in sync; rank 0 alone writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tiny_models import write_tiny_source

from olm.train.events import read_events

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.mark.slow
@pytest.mark.process
def test_two_cpu_ranks_stay_in_sync(tmp_path, corpus_file):
    source = write_tiny_source(tmp_path / "tiny.py")
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(HERE)]), OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--standalone", str(HERE / "ddp_worker.py"), source, str(corpus_file), str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    a = load_file(str(out / "rank0.safetensors"))
    b = load_file(str(out / "rank1.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    events = read_events(out / "events.jsonl")
    assert [e.KIND for e in events].count("start") == 1  # rank 0 alone wrote
    assert events[0].world_size == 2 and events[0].tokens_per_step == 2 * 2 * 16
    assert events[-1].status == "finished"
    ckpts = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert ckpts == ["step_0000002", "step_0000004"]
    # the ranks saw different batches, so staying equal means gradients were averaged
    ckpt = load_file(str(out / "checkpoints" / "step_0000004" / "model.safetensors"))
    for k, v in ckpt.items():
        assert torch.equal(v, a[k]), k
