"""The compute split: whole steps that give every model the same FLOPs within the time."""

from __future__ import annotations

import pytest

from olm.core.errors import ConfigError
from olm.experiment.plan import PlannedModel, check_request, match_flops


def _model(name: str, fpt: int, step_s: float) -> PlannedModel:
    return PlannedModel(name, None, None, 0, fpt, 0, step_s)


@pytest.mark.parametrize("fpts", [(880_000, 1_010_000), (300_000, 700_000, 1_234_567)])
def test_steps_match_compute_and_fill_the_time(fpts):
    models = [_model(f"m{i}", f, 0.01 * (i + 1)) for i, f in enumerate(fpts)]
    seconds, tokens_per_step = 30.0, 1024
    match_flops(models, seconds, tokens_per_step)
    used = [m.steps * m.flops_per_token for m in models]
    assert max(used) / min(used) - 1 < 0.01
    spent = sum(m.steps * m.step_seconds for m in models)
    assert 0.85 * seconds <= spent <= seconds * 1.02


def test_a_cheaper_model_gets_more_steps_for_the_same_flops():
    cheap, costly = _model("cheap", 500_000, 0.01), _model("costly", 1_000_000, 0.02)
    match_flops([cheap, costly], 20.0, 512)
    assert cheap.steps == pytest.approx(2 * costly.steps, rel=0.02)


def test_requests_that_cannot_be_planned_are_refused():
    with pytest.raises(ConfigError, match="--seeds"):
        check_request(2, 0, "flops")
    with pytest.raises(ConfigError, match="--equal"):
        check_request(2, 2, "vibes")
    with pytest.raises(ConfigError, match="SOURCE"):
        check_request(0, 2, "flops")
