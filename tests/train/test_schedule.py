"""The warmup + cosine schedule, checked against the formula written out independently."""

from __future__ import annotations

import math

import pytest
import torch

from olm.train import CosineAnnealingLR, LinearLR, WarmupCosineScheduler, WarmupLR


def _opt(lr=1.0):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=lr)


def _rates(sched, n):
    out = []
    for _ in range(n):
        out.append(sched.optimizer.param_groups[0]["lr"])
        sched.optimizer.step()
        sched.step()
    return out


def test_warmup_cosine_values():
    base, warm, total, lo = 0.3, 4, 20, 0.03
    got = _rates(WarmupCosineScheduler(_opt(base), warm, total, lo), 25)
    for s, lr in enumerate(got):
        if s < warm:
            want = base * (s + 1) / (warm + 1)
        elif s >= total:
            want = lo
        else:
            frac = (s - warm) / (total - warm)
            want = lo + (base - lo) * (1 + math.cos(math.pi * frac)) / 2
        assert lr == pytest.approx(want, rel=1e-12, abs=1e-15), s
    assert got[warm] == pytest.approx(base)  # the peak right after warmup
    assert all(a < b for a, b in zip(got[:warm], got[1 : warm + 1]))


def test_schedule_state_resumes_on_the_same_curve():
    a = WarmupCosineScheduler(_opt(), 3, 10, 0.0)
    _rates(a, 5)
    b = WarmupCosineScheduler(_opt(), 3, 10, 0.0)
    b.load_state_dict(a.state_dict())
    b.optimizer.param_groups[0]["lr"] = a.optimizer.param_groups[0]["lr"]
    assert _rates(a, 5) == _rates(b, 5)


def test_other_schedules():
    assert _rates(CosineAnnealingLR(_opt(2.0), 4, 0.0), 6) == pytest.approx(
        [2.0, 2 * (1 + math.cos(math.pi / 4)) / 2, 1.0, 2 * (1 + math.cos(3 * math.pi / 4)) / 2, 0.0, 0.0])
    assert _rates(LinearLR(_opt(1.0), 4, end_lr=0.2), 5) == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2])
    assert _rates(WarmupLR(_opt(1.0), 4), 6) == pytest.approx([0, 0.25, 0.5, 0.75, 1, 1])
