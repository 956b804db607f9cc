"""DDP under torchrun: two CPU processes (gloo) stay in sync; rank 0 alone writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tiny_models import write_tiny_source
from torchrun import run_two_ranks

from olm.train.events import read_events

HERE = Path(__file__).resolve().parent


@pytest.mark.slow
def test_two_cpu_ranks_stay_in_sync(tmp_path, corpus_file):
    source = write_tiny_source(tmp_path / "tiny.py")
    out = tmp_path / "run"
    run_two_ranks(HERE / "ddp_worker.py", source, str(corpus_file), str(out))
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


def test_olm_all_reduce_returns_only_once_gloo_let_go_of_the_tensor():
    # gloo's worker thread drops its hold on a finished job's tensor a moment after the
    # caller sees the result (a plain dist.all_reduce leaves it held about a third of the
    # time); a process that exits in that moment aborts. olm's all_reduce waits it out.
    run_two_ranks(HERE / "dist_release_worker.py", "2000")
