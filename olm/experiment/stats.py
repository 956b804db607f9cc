"""Statistics over seeds: t-based intervals, differences between models, and a verdict.

A comparison trains each model with several seeds; a single seed's loss says nothing
about noise. Here the mean of each model's final losses gets a 95% interval from
Student's t distribution (scipy is not a dependency: the t distribution's CDF is the
regularised incomplete beta function, evaluated with its continued fraction, and the
quantile is found by bisection). Two models are compared by the difference of their
means: paired by seed when both ran the same seeds (each seed sees the same data order,
so the pairing removes the data's share of the noise), else Welch's interval. Fewer
than two seeds give no interval at all: the verdict then says N is too small to
conclude, never a difference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from olm.core.errors import ConfigError

__all__ = ["t_cdf", "t_quantile", "Interval", "mean_interval", "Difference",
           "difference", "verdict", "swap_verdict", "sci", "CONFIDENCE"]

CONFIDENCE = 0.95
"""The interval's coverage; fixed so no one picks the level after seeing the data."""


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (> 0, not necessarily whole) degrees of freedom."""
    if not df > 0:
        raise ConfigError(f"degrees of freedom must be > 0, got {df}")
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (bisection on
    :func:`t_cdf`; accurate to about 1e-10)."""
    if not 0.0 < p < 1.0:
        raise ConfigError(f"a quantile needs 0 < p < 1, got {p}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def _check(values: Sequence[float], what: str) -> list[float]:
    out = [float(v) for v in values]
    if not out:
        raise ConfigError(f"{what}: no values")
    bad = [v for v in out if not math.isfinite(v)]
    if bad:
        raise ConfigError(f"{what}: every value must be a finite number, got {bad[0]}")
    return out


def _variance(values: list[float], mean: float) -> float:
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


@dataclass(frozen=True)
class Interval:
    """A mean and the half-width of its 95% interval (None when N < 2: no interval).

    Args:
        mean: the sample mean.
        half: ``t * s / sqrt(n)``; None with fewer than two values.
        n: how many values.
        df: the t distribution's degrees of freedom (None with fewer than two values).
    """

    mean: float
    half: float | None
    n: int
    df: float | None = None

    @property
    def low(self) -> float | None:
        return None if self.half is None else self.mean - self.half

    @property
    def high(self) -> float | None:
        return None if self.half is None else self.mean + self.half

    def text(self, digits: int = 3) -> str:
        """``"2.345 ± 0.012"``, or ``"2.345 (N=1: no interval)"``."""
        if self.half is None:
            return f"{self.mean:.{digits}f} (N={self.n}: no interval)"
        return f"{self.mean:.{digits}f} ± {self.half:.{digits}f}"


def mean_interval(values: Sequence[float]) -> Interval:
    """The mean of ``values`` with its t-based 95% interval."""
    vals = _check(values, "mean_interval")
    n = len(vals)
    mean = sum(vals) / n
    if n < 2:
        return Interval(mean, None, n)
    t = t_quantile(0.5 + CONFIDENCE / 2, n - 1)
    return Interval(mean, t * math.sqrt(_variance(vals, mean) / n), n, float(n - 1))


@dataclass(frozen=True)
class Difference:
    """``mean(b) - mean(a)`` with its interval (negative: b has the lower loss).

    Args:
        delta: the difference of the means (b minus a).
        half: half-width of its 95% interval (None: N too small).
        paired: True when paired by seed, False for Welch's interval.
        df: degrees of freedom of the t quantile used.
    """

    delta: float
    half: float | None
    paired: bool
    df: float | None

    @property
    def detected(self) -> bool:
        """The interval excludes zero (a difference this budget can see)."""
        return self.half is not None and abs(self.delta) > self.half


def difference(a: Sequence[float], b: Sequence[float], paired: bool | None = None) -> Difference:
    """The difference ``mean(b) - mean(a)`` and its 95% interval.

    Args:
        a, b: each model's final losses, one per seed.
        paired: pair the values index by index (same seeds, same data order); None pairs
            when both have the same number of values.
    """
    va, vb = _check(a, "difference (a)"), _check(b, "difference (b)")
    if paired is None:
        paired = len(va) == len(vb)
    if paired:
        if len(va) != len(vb):
            raise ConfigError(f"a paired difference needs as many values in each, got "
                              f"{len(va)} and {len(vb)}")
        inner = mean_interval([y - x for x, y in zip(va, vb)])
        return Difference(inner.mean, inner.half, True, inner.df)
    ma, mb = sum(va) / len(va), sum(vb) / len(vb)
    if len(va) < 2 or len(vb) < 2:
        return Difference(mb - ma, None, False, None)
    qa, qb = _variance(va, ma) / len(va), _variance(vb, mb) / len(vb)
    se2 = qa + qb
    if se2 == 0.0:
        return Difference(mb - ma, 0.0, False, float(len(va) + len(vb) - 2))
    df = se2 ** 2 / (qa ** 2 / (len(va) - 1) + qb ** 2 / (len(vb) - 1))
    t = t_quantile(0.5 + CONFIDENCE / 2, df)
    return Difference(mb - ma, t * math.sqrt(se2), False, df)


def sci(value: float) -> str:
    """A number in short scientific form: ``2.1e13`` (how compute is written)."""
    return f"{value:.2g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _undecided(label: str, diff: Difference, where: str) -> str | None:
    """The words for a difference that cannot be called (None when it can)."""
    if diff.half is None:
        return f"{label}: N is too small to conclude (run --seeds 2 or more)"
    if not diff.detected:
        return (f"{label}: no difference detectable at this budget ({diff.delta:+.3f} ± "
                f"{diff.half:.3f} nats{where})")
    return None


def verdict(name_a: str, name_b: str, diff: Difference, flops: float | None = None) -> str:
    """The difference in plain words: which is better, by how much, at what compute.

    "B is better than A by 0.081 ± 0.030 nats at 2.1e13 FLOPs", "no difference detectable
    at this budget", or "N is too small to conclude" when there is no interval.
    """
    where = f" at {sci(flops)} FLOPs" if flops else ""
    undecided = _undecided(f"{name_b} vs {name_a}", diff, where)
    if undecided is not None:
        return undecided
    better, worse = (name_b, name_a) if diff.delta < 0 else (name_a, name_b)
    return (f"{better} is better than {worse} by {abs(diff.delta):.3f} ± {diff.half:.3f} "
            f"nats{where}")


def swap_verdict(swap: str, diff: Difference, flops: float | None = None) -> str:
    """What one swap (a model against the one before it) did, in plain words:
    "+ SwiGLU cost 0.187 ± 0.019 nats at 6.9e10 FLOPs", "... bought ...", or no
    difference detectable, or N too small."""
    where = f" at {sci(flops)} FLOPs" if flops else ""
    undecided = _undecided(swap, diff, where)
    if undecided is not None:
        return undecided
    word = "bought" if diff.delta < 0 else "cost"
    return f"{swap} {word} {abs(diff.delta):.3f} ± {diff.half:.3f} nats{where}"
