"""Scaling curves: fit ``L(C) = E + A * C**(-alpha)`` to (compute, loss) points.

A sweep trains a few sizes of one recipe and asks how loss falls with compute. The fit
is done with the standard library (no scipy): for a fixed floor ``E`` the curve is a
straight line in log-log space, ``log(L - E) = log A - alpha log C``, solved by least
squares; ``E`` is chosen on a grid below the smallest loss and refined by golden-section
search to minimise the squared residuals of the losses themselves. Two fitted curves
cross where their losses are equal; :func:`crossing` finds that compute by bisection in
log space.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from olm.core.errors import ConfigError

__all__ = ["PowerLaw", "fit_power_law", "crossing"]


@dataclass(frozen=True)
class PowerLaw:
    """A fitted ``L(C) = E + A * C**(-alpha)`` and how well it fits.

    Args:
        E: the irreducible loss the curve tends to.
        A: the scale of the reducible part.
        alpha: the exponent (positive: more compute, lower loss).
        residuals: measured minus fitted loss at each point, in the input order.
    """

    E: float
    A: float
    alpha: float
    residuals: tuple[float, ...] = ()

    def __call__(self, compute: float) -> float:
        """The loss the curve predicts at ``compute`` FLOPs."""
        return self.E + self.A * compute ** (-self.alpha)

    def to_json(self) -> dict[str, float]:
        return {"E": self.E, "A": self.A, "alpha": self.alpha}


def _line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares intercept and slope of ys on xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - slope * mx, slope


def _fit_at(e: float, logc: list[float], losses: list[float]) -> tuple[float, float, float]:
    """(sse, A, alpha) of the best curve with floor ``e``."""
    intercept, slope = _line(logc, [math.log(y - e) for y in losses])
    a, alpha = math.exp(intercept), -slope
    sse = sum((y - (e + a * math.exp(-alpha * lc))) ** 2 for lc, y in zip(logc, losses))
    return sse, a, alpha


def fit_power_law(compute: Sequence[float], losses: Sequence[float]) -> PowerLaw:
    """The curve ``E + A * C**(-alpha)`` through (compute, loss) points.

    Args:
        compute: training FLOPs of each point (> 0; at least two distinct values).
        losses: final validation loss of each point (> 0).

    Raises:
        ConfigError: fewer than three points, non-positive or non-finite values, or all
            points at one compute.
    """
    cs, ls = [float(c) for c in compute], [float(v) for v in losses]
    if len(cs) != len(ls):
        raise ConfigError(f"fit: {len(cs)} compute values but {len(ls)} losses")
    if len(cs) < 3:
        raise ConfigError(f"fit: E + A*C^-alpha has three unknowns and needs at least three "
                          f"points, got {len(cs)}")
    if not all(math.isfinite(v) and v > 0 for v in cs + ls):
        raise ConfigError("fit: every compute and loss must be a positive finite number")
    if len(set(cs)) < 2:
        raise ConfigError("fit: the points must span more than one compute")
    logc = [math.log(c) for c in cs]
    top = min(ls)
    # the floor lies in [0, min loss); the grid avoids the singular point E = min loss
    grid = [top * (1 - 10 ** (-k / 8)) for k in range(1, 41)] + [top * i / 64 for i in range(64)]
    best = min(grid, key=lambda e: _fit_at(e, logc, ls)[0])
    lo, hi = max(0.0, best - top / 64), min(best + top / 64, top * (1 - 1e-9))
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(80):  # golden-section refinement of the floor
        m1, m2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if _fit_at(m1, logc, ls)[0] < _fit_at(m2, logc, ls)[0]:
            hi = m2
        else:
            lo = m1
    candidates = [best, 0.5 * (lo + hi)]
    e = min(candidates, key=lambda v: _fit_at(v, logc, ls)[0])
    _, a, alpha = _fit_at(e, logc, ls)
    curve = PowerLaw(e, a, alpha)
    return PowerLaw(e, a, alpha, tuple(y - curve(c) for c, y in zip(cs, ls)))


def crossing(first: PowerLaw, second: PowerLaw, low: float = 1.0,
             high: float = 1e30) -> float | None:
    """The compute at which the two curves predict the same loss, or None if they do not
    cross between ``low`` and ``high`` FLOPs (the first crossing from below)."""
    def gap(log_c: float) -> float:
        c = math.exp(log_c)
        return first(c) - second(c)

    points = [math.log(low) + i * (math.log(high) - math.log(low)) / 6000 for i in range(6001)]
    for x0, x1 in zip(points, points[1:]):
        g0, g1 = gap(x0), gap(x1)
        if g0 == 0.0:
            return math.exp(x0)
        if g0 * g1 < 0:
            for _ in range(100):
                mid = 0.5 * (x0 + x1)
                if gap(mid) * g0 > 0:
                    x0 = mid
                else:
                    x1 = mid
            return math.exp(0.5 * (x0 + x1))
    return None
