"""The power-law fit recovers a known curve, and two curves' crossing is where they meet."""

from __future__ import annotations

import random

import pytest

from olm.core.errors import ConfigError
from olm.experiment.scaling import PowerLaw, crossing, fit_power_law


def test_fit_recovers_a_known_exponent_from_noisy_points():
    rng = random.Random(0)
    truth = PowerLaw(1.8, 350.0, 0.28)
    compute = [1e11 * 2 ** i for i in range(8)]
    losses = [truth(c) * (1 + rng.gauss(0, 0.002)) for c in compute]
    fit = fit_power_law(compute, losses)
    assert fit.alpha == pytest.approx(0.28, abs=0.05)
    assert fit.E == pytest.approx(1.8, abs=0.25)
    assert max(abs(r) for r in fit.residuals) < 0.05
    assert fit(1e14) == pytest.approx(truth(1e14), rel=0.03)


def test_fit_is_exact_on_noiseless_points():
    truth = PowerLaw(2.0, 50.0, 0.15)
    compute = [1e9, 1e10, 1e11, 1e12]
    fit = fit_power_law(compute, [truth(c) for c in compute])
    assert fit.alpha == pytest.approx(0.15, rel=1e-3)
    assert all(abs(r) < 1e-6 for r in fit.residuals)


def test_crossing_of_two_curves():
    steep, flat = PowerLaw(1.0, 1e3, 0.3), PowerLaw(2.0, 10.0, 0.1)
    c = crossing(steep, flat)
    assert c is not None
    assert steep(c) == pytest.approx(flat(c), rel=1e-6)
    assert crossing(PowerLaw(1.0, 10.0, 0.2), PowerLaw(2.0, 10.0, 0.2)) is None  # parallel


def test_fit_refuses_too_few_points():
    with pytest.raises(ConfigError, match="three points"):
        fit_power_law([1e9, 1e10], [3.0, 2.5])
    with pytest.raises(ConfigError, match="positive"):
        fit_power_law([1e9, 1e10, -1.0], [3.0, 2.5, 2.0])
