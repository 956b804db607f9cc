"""FSDPTrainer and ZeROOptimizer across two CPU processes (gloo), against plain PyTorch.

The test launches this same file under ``torch.distributed.run``; each rank trains a
tiny model with FSDP2 on its half of a batch, while also training an unsharded copy with
``torch.optim.AdamW`` on the whole batch. Averaged gradients make the two agree.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
STEPS, B, N = 3, 2, 8


def _data(world: int):
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 64, (STEPS, world * B, N + 1), generator=g)
    return ids[..., :-1], ids[..., 1:]


def _reference(model, xs, ys):
    """Plain torch: AdamW (two groups, as the Trainer builds them) on the whole batch."""
    from olm.train.optim import param_groups

    opt = torch.optim.AdamW(param_groups(model, 0.1), lr=1e-2)
    losses = []
    for x, y in zip(xs, ys):
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, 64), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        losses.append(loss.item())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
    return {k: v.detach() for k, v in model.state_dict().items()}, losses


def _zero_check(rank: int) -> bool:
    from torch.distributed.optim import ZeroRedundancyOptimizer

    from olm.train import ZeROOptimizer

    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 6)
    ref = copy.deepcopy(lin)
    zero = ZeROOptimizer(torch.optim.AdamW(lin.parameters(), lr=0.1))
    plain = torch.optim.AdamW(ref.parameters(), lr=0.1)
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(2))
    for m, opt in ((lin, zero), (ref, plain)):
        for _ in range(2):
            opt.zero_grad()
            m(x).pow(2).sum().backward()  # same data on each rank: no gradient averaging needed
            opt.step()
    same = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(lin.parameters(), ref.parameters()))
    return isinstance(zero, ZeroRedundancyOptimizer) and same


def _auto_routes(batches) -> list[str]:
    """AutoTrainer under torchrun on CPUs: DDP by default, FSDP (hybrid) when forced; one step each."""
    from tiny_models import tiny_llama

    from olm.train import AdamW, AutoTrainer

    names = []
    for force in (None, "MULTI_GPU_FSDP_HYBRID"):
        t = AutoTrainer(tiny_llama(vocab=64, dim=32, max_seq_len=N), AdamW, batches, device="cpu",
                        context_length=N, force_strategy=force, verbose=False, use_amp=False,
                        total_steps=1)
        t.train(max_steps=1, log_interval=0)
        names.append(f"{type(t).__name__}:{type(t.model).__name__}")
    return names


def worker(out: str) -> None:
    import torch.distributed as dist
    from safetensors.torch import load_file
    from tiny_models import tiny_llama

    from olm.train import AdamW, FSDPTrainer

    torch.manual_seed(0)
    model = tiny_llama(vocab=64, dim=32, layers=2, max_seq_len=N)
    ref = copy.deepcopy(model)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    xs, ys = _data(int(os.environ["WORLD_SIZE"]))
    rank = int(os.environ["RANK"])
    mine = [(x[rank * B:(rank + 1) * B], y[rank * B:(rank + 1) * B]) for x, y in zip(xs, ys)]
    trainer = FSDPTrainer(model, AdamW, mine, "cpu", N, use_amp=False, use_warmup_cosine=False,
                          learning_rate=1e-2, weight_decay=0.1, grad_clip_norm=0.5,
                          min_num_params=1000)
    losses = trainer.train(epochs=1, log_interval=0)
    full_dir = trainer.save_checkpoint(Path(out) / "full")
    trainer.save_checkpoint(Path(out) / "local", state_dict_type="LOCAL_STATE_DICT")
    expect, ref_losses = _reference(ref, xs, ys)
    report = {"rank": rank, "units": len(trainer.fsdp_units), "losses": losses,
              "sharded": type(trainer.model).__name__, "zero": _zero_check(rank)}
    if rank == 0:
        got = load_file(str(full_dir / "model.safetensors"))
        report["keys_match"] = sorted(got) == sorted(expect)
        report["max_diff"] = max(float((got[k] - expect[k]).abs().max()) for k in expect)
        report["moved"] = min(float((start[k] - expect[k]).abs().max()) for k in expect)
        report["ref_losses"] = ref_losses
    report["auto"] = _auto_routes(mine)
    (Path(out) / f"rank{rank}.json").write_text(json.dumps(report))
    dist.barrier()
    dist.destroy_process_group()


@pytest.mark.slow
def test_fsdp_and_zero_on_two_cpu_ranks(tmp_path):
    from safetensors.torch import load_file
    from torchrun import run_two_ranks

    run_two_ranks(__file__, str(tmp_path))
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0["sharded"].startswith("FSDP") and r0["units"] >= 2  # blocks wrapped by size
    assert len(r0["losses"]) == STEPS
    # each rank reports its own half's loss; their mean is the whole batch's loss
    mean = [(a + b) / 2 for a, b in zip(r0["losses"], r1["losses"])]
    assert mean == pytest.approx(r0["ref_losses"], abs=1e-5)
    assert r0["keys_match"] and r0["moved"] > 1e-3 and r0["max_diff"] < 1e-5
    assert r0["zero"] and r1["zero"]
    assert r0["auto"] == ["DDPTrainer:DistributedDataParallel", "FSDPTrainer:FSDPBlock"]
    full = load_file(str(tmp_path / "full" / "model.safetensors"))
    shards = [load_file(str(tmp_path / "local" / f"model.rank{r:05d}.safetensors")) for r in (0, 1)]
    for k, v in full.items():  # FSDP2 shards dim 0: the local pieces stack back to the whole
        assert torch.equal(torch.cat([shards[0][k], shards[1][k]]), v), k


if __name__ == "__main__":
    worker(sys.argv[1])
