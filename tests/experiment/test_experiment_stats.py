"""The statistics of a comparison against values worked out by hand (and t tables)."""

from __future__ import annotations

import math

import pytest

from olm.core.errors import ConfigError
from olm.experiment.stats import (
    difference,
    mean_interval,
    sci,
    swap_verdict,
    t_cdf,
    t_quantile,
    verdict,
)

# two-sided 95% critical values from a printed Student t table
T_TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 10: 2.228,
           20: 2.086, 30: 2.042}


@pytest.mark.parametrize("df,expected", sorted(T_TABLE.items()))
def test_t_quantile_matches_the_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=6e-4)


def test_t_distribution_limits_and_symmetry():
    assert t_quantile(0.975, 1e6) == pytest.approx(1.95996, abs=1e-4)  # the normal's
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7))
    assert t_cdf(0.0, 3) == pytest.approx(0.5)
    # df = 1 is the Cauchy distribution: P(T <= 1) = 3/4
    assert t_cdf(1.0, 1) == pytest.approx(0.75)


def test_mean_interval_by_hand():
    # mean 2, s = 1, se = 1/sqrt(3), t(0.975, 2) = 4.302653
    got = mean_interval([1.0, 2.0, 3.0])
    assert got.mean == pytest.approx(2.0)
    assert got.half == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert got.df == 2


def test_one_seed_gives_no_interval_and_no_conclusion():
    assert mean_interval([2.5]).half is None
    diff = difference([2.5], [2.4])
    assert diff.half is None and not diff.detected
    assert "N is too small to conclude" in verdict("A", "B", diff)


def test_paired_difference_by_hand():
    # per-seed differences -0.1, -0.15, -0.1: mean -0.116667, s = 0.0288675
    diff = difference([3.0, 3.1, 3.2], [2.9, 2.95, 3.1])
    assert diff.paired
    assert diff.delta == pytest.approx(-0.116667, abs=1e-6)
    assert diff.half == pytest.approx(4.302653 * 0.0288675 / math.sqrt(3), rel=1e-5)
    assert diff.detected
    text = verdict("A", "B", diff, 2.1e13)
    assert text == "B is better than A by 0.117 ± 0.072 nats at 2.1e13 FLOPs"


def test_welch_difference_by_hand():
    # var(a) = 1 (n 3), var(b) = 20/3 (n 4): se^2 = 1/3 + 5/3 = 2,
    # Welch df = 4 / ((1/9)/2 + (25/9)/3) = 4.0755
    diff = difference([1.0, 2.0, 3.0], [2.0, 4.0, 6.0, 8.0])
    assert not diff.paired
    assert diff.delta == pytest.approx(3.0)
    assert diff.df == pytest.approx(4 / ((1 / 9) / 2 + (25 / 9) / 3), rel=1e-9)
    assert diff.half == pytest.approx(t_quantile(0.975, diff.df) * math.sqrt(2.0))
    assert 2.75 < t_quantile(0.975, diff.df) < 2.776  # between the table's df 4 and 5


def test_overlapping_seeds_are_no_difference():
    diff = difference([3.0, 3.2, 3.1], [3.1, 3.0, 3.2])
    assert not diff.detected
    assert "no difference detectable at this budget" in verdict("A", "B", diff)


def test_bad_values_are_refused_by_name():
    with pytest.raises(ConfigError, match="finite"):
        mean_interval([1.0, float("nan")])
    with pytest.raises(ConfigError, match="paired"):
        difference([1.0, 2.0], [1.0, 2.0, 3.0], paired=True)
    with pytest.raises(ConfigError, match="0 < p < 1"):
        t_quantile(1.0, 3)


def test_sci_writes_compute_short():
    assert sci(2.1e13) == "2.1e13"
    assert sci(3.0e9) == "3e9"


def test_a_swap_says_what_it_bought_or_cost():
    better = difference([3.0, 3.1, 3.2], [2.9, 2.95, 3.1])
    worse = difference([2.9, 2.95, 3.1], [3.0, 3.1, 3.2])
    assert swap_verdict("+ RoPE", better).startswith("+ RoPE bought 0.117 ± 0.072 nats")
    assert swap_verdict("+ MoE", worse).startswith("+ MoE cost 0.117 ± 0.072 nats")
    assert "no difference" in swap_verdict("+ x", difference([3.0, 3.2, 3.1], [3.1, 3.0, 3.2]))
