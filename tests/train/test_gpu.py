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
