"""CUDA-only checks (run by benchmarks/gpu_check.sh): bf16 step, fused AdamW, cached sampling."""

from __future__ import annotations

import pytest
import torch
from tiny_models import tiny_llama

from olm.generation import greedy
from olm.train import AdamW, TrainStep, param_groups
from olm.train.step import autocast_dtype

# Deselected by default (pyproject addopts `-m "not gpu"`): CI has no GPU, and these are
# run on purpose by benchmarks/gpu_check.sh with `-m gpu`.
pytestmark = pytest.mark.gpu


def test_bf16_step_learns_with_fused_adamw():
    torch.manual_seed(0)
    dev = torch.device("cuda")
    model = tiny_llama().to(dev)
    opt = AdamW(param_groups(model, 0.0), lr=3e-3)
    assert opt.defaults["fused"] is True
    step = TrainStep(model, opt, grad_clip=1.0, amp_dtype=autocast_dtype(dev), device_type="cuda")
    assert step.amp_dtype in (torch.bfloat16, torch.float16)
    ids = torch.randint(0, 256, (4, 33), device=dev)
    batch = [(ids[:, :-1], ids[:, 1:])]
    losses = [float(step(batch)[0]) for _ in range(30)]
    assert losses[-1] < 0.6 * losses[0]
    assert all(p.dtype == torch.float32 for p in model.parameters())  # master weights stay fp32


def test_cached_greedy_equals_uncached_on_cuda():
    torch.manual_seed(0)
    model = tiny_llama(layers=2).cuda().eval()
    prompt = torch.randint(0, 256, (2, 4), device="cuda")
    assert torch.equal(greedy(model, prompt, 16, kv_cache=True), greedy(model, prompt, 16, kv_cache=False))


def test_run_on_cuda_with_compile_recompute_and_sparse_loss_reads(tmp_path):
    """TrainRun on CUDA: bf16 autocast, fused AdamW, TF32, pinned batches, torch.compile
    and --checkpoint-activations together; the loss is read only every log_every steps."""
    from olm.graph import from_source, save
    from olm.graph.overrides import apply_overrides
    from olm.train import TrainConfig
    from olm.train.events import EndEvent, StepEvent
    from olm.train.run import TrainRun

    graph = apply_overrides(from_source("Llama3_2_1B"), {
        "num_layers": 2, "embed_dim": 64, "num_heads": 4, "num_kv_heads": 2,
        "hidden_dim": 128, "max_seq_len": 64, "vocab_size": 256})
    path = save(graph, tmp_path / "m.olm.json")
    config = TrainConfig(source=str(path), steps=20, batch_size=4, seq_len=64, device="cuda",
                         compile=True, checkpoint_activations=True, log_every=10,
                         eval_every=0, eval_batches=1, max_corpus_bytes=300_000)
    run = TrainRun(config)
    events = list(run)
    assert [e.step for e in events if isinstance(e, StepEvent)] == [10, 20]
    assert events[-1].status == "finished" and isinstance(events[-1], EndEvent)
    assert torch.backends.cuda.matmul.allow_tf32
    assert run.parts.optimizer.defaults["fused"] is True


def test_estimate_on_cuda_is_measured():
    from olm.graph import from_source
    from olm.train import TrainConfig
    from olm.train.estimate import device_flops, estimate_step

    dev = torch.device("cuda")
    assert device_flops(dev) > 1e12  # any CUDA GPU of this decade, bf16
    est = estimate_step(from_source("GPT2"), TrainConfig(source="GPT2", seq_len=1024,
                                                         batch_size=8, steps=100), dev, 50257)
    assert 0 < est.step_seconds < 10
