"""What a run will cost before its first step: seconds per step and in total.

Two ways, the better one that fits in about two seconds:

* **probe**: a few real training steps (forward, backward, AdamW) of the model at the
  run's batch size and sequence length on the run's device, the first discarded as
  warm-up, the median of the rest. Used when the model is small enough that a step
  takes well under a second (every trial-scale model, every test model).
* **flops**: the training FLOPs per token (``olm.graph.stats``) times the tokens per step,
  over the device's throughput, measured once per process by timing a matrix multiply
  (:func:`device_flops`) and derated by :data:`EFFICIENCY` (real models reach a fraction
  of a bare matmul's speed).

The memory side is :func:`olm.train.preflight.training_memory`; :func:`olm.train.preflight.
preflight` puts both together and warns above :data:`WARN_SECONDS`.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Literal

import torch

__all__ = ["StepEstimate", "estimate_step", "device_flops", "probe_step_seconds",
           "flops_step_seconds", "EFFICIENCY", "WARN_SECONDS", "PROBE_SECONDS"]

EFFICIENCY = {"cpu": 0.35, "cuda": 0.45, "mps": 0.3}
"""Share of a bare matmul's FLOP/s a training step reaches, per device type."""
WARN_SECONDS = 300.0
"""A run estimated above this many seconds gets a warning proposing ``--trial``."""
PROBE_SECONDS = 1.5
"""The probe's time budget."""
_PROBE_MAX_STEP = 0.4  # a step estimated longer than this (by FLOPs) is not probed
_FLOPS_CACHE: dict[str, float] = {}
_PROBE_CACHE: dict[Any, float] = {}


@dataclass
class StepEstimate:
    """Time of one optimizer step and of the whole run.

    Args:
        step_seconds: one optimizer step (all its micro-batches).
        total_seconds: ``steps`` of them.
        method: "probe" (measured real steps) or "flops" (FLOPs over measured throughput).
    """

    step_seconds: float
    total_seconds: float
    method: Literal["probe", "flops"]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_flops(device: torch.device) -> float:
    """Measured FLOP/s of a square matmul on ``device`` (bf16 on CUDA, fp32 elsewhere)."""
    key = str(device)
    if key in _FLOPS_CACHE:
        return _FLOPS_CACHE[key]
    n = 4096 if device.type == "cuda" else 512
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b  # warm-up
    _sync(device)
    reps, start = 0, time.perf_counter()
    while True:
        a @ b
        reps += 1
        if reps % 4 == 0:
            _sync(device)
            if time.perf_counter() - start > 0.15:
                break
    seconds = time.perf_counter() - start
    _FLOPS_CACHE[key] = 2 * n**3 * reps / seconds
    return _FLOPS_CACHE[key]


def flops_step_seconds(train_flops_per_token: float, tokens_per_step: int,
                       device: torch.device) -> float:
    """Seconds per step from FLOPs and the device's measured, derated throughput."""
    rate = device_flops(device) * EFFICIENCY.get(device.type, 0.3)
    return train_flops_per_token * tokens_per_step / rate


def probe_step_seconds(module: torch.nn.Module, config: Any, vocab: int,
                       device: torch.device, max_seconds: float = PROBE_SECONDS) -> float:
    """Median seconds of real training steps of ``module`` (moved to ``device``)."""
    from olm.train.step import autocast_dtype

    module = module.to(device)
    module.train()
    opt = torch.optim.AdamW(module.parameters(), lr=1e-4)
    dtype = autocast_dtype(device, config.use_amp)
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, vocab, (config.batch_size, config.seq_len + 1), generator=gen).to(device)
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 12 and (len(times) < 3 or time.perf_counter() - start < max_seconds):
        t0 = time.perf_counter()
        for _ in range(config.grad_accum):
            with torch.autocast(device.type, dtype=dtype or torch.float32,
                                enabled=dtype is not None):
                logits = module(x[:, :-1])
                loss = torch.nn.functional.cross_entropy(
                    logits.float().reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
            loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        _sync(device)
        times.append(time.perf_counter() - t0)
    # The first steps pay one-off costs (allocator, kernel selection): drop two when
    # possible; the median of the rest ignores a step another process slowed.
    return statistics.median(times[2:] if len(times) > 3 else times[1:])


def estimate_step(graph: Any, config: Any, device: torch.device, vocab: int,
                  probe: bool = True) -> StepEstimate:
    """Seconds per step and in total for training ``graph`` under ``config`` on ``device``.

    Args:
        graph: the document (already with the run's ``--set``/``--fit-vocab``).
        config: the run's :class:`~olm.train.TrainConfig`.
        device: where it will train.
        vocab: the tokenizer's vocabulary (the probe's ids stay below it).
        probe: allow measuring real steps (else FLOPs only).
    """
    import olm.graph

    figures = olm.graph.stats(graph, seq_len=config.seq_len)
    tokens = config.batch_size * config.seq_len * config.grad_accum
    by_flops = flops_step_seconds(figures.training_flops_per_token, tokens, device)
    step, method = by_flops, "flops"
    if probe and by_flops < _PROBE_MAX_STEP and figures.total_params < 60_000_000:
        key = (repr(graph.canonical()), config.batch_size, config.seq_len, config.grad_accum,
               str(device), config.use_amp, min(vocab, figures.total_params))
        if key not in _PROBE_CACHE:
            torch.manual_seed(0)
            module = olm.graph.build(graph)
            _PROBE_CACHE[key] = probe_step_seconds(module, config, vocab, device)
        step, method = _PROBE_CACHE[key], "probe"
    return StepEstimate(step, step * config.steps, method)
