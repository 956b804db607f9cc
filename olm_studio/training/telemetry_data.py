"""A run's telemetry as the canvas paints it: values per node, metric and step; colour scale.

Reads the typed ``telemetry`` events (``olm.train.events.TelemetryEvent``) once and
answers what the painted canvas asks: the value of a node's metric at a step (a number,
or one per layer inside a ``Repeat``), its history for a sparkline, and the metric's range
over the whole run so colours mean the same at every step of the slider. No Qt here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunTelemetry", "METRICS", "scalar", "normalise"]

METRICS: dict[str, str] = {
    "act_rms": "activation RMS",
    "grad_norm": "gradient norm",
    "update_ratio": "update / weight ratio",
    "attn_entropy_norm": "attention entropy (of uniform)",
    "attn_max_logit": "attention max logit",
    "router_entropy": "router entropy",
    "norm_gain": "norm gain",
}
"""Metrics a node can be coloured by (``expert_load`` is drawn as bars instead)."""


def scalar(value: Any) -> float | None:
    """One number for a value: itself, or the mean of the finite per-layer entries."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, list):
        nums = [float(v) for v in value if isinstance(v, (int, float)) and math.isfinite(v)]
        return sum(nums) / len(nums) if nums else None
    return None


def normalise(value: float, low: float, high: float, log: bool) -> float:
    """``value`` as 0..1 on the scale ``[low, high]`` (log10 when ``log``), clamped."""
    if log:
        if value <= 0 or low <= 0:
            return 0.0
        value, low, high = math.log10(value), math.log10(low), math.log10(high)
    if high <= low:
        return 0.5
    return min(1.0, max(0.0, (value - low) / (high - low)))


@dataclass
class RunTelemetry:
    """The telemetry events of one run.

    Args:
        events: the run's events (any kinds; only ``telemetry`` ones are kept).
    """

    events: list[Any]
    steps: list[int] = field(init=False)
    frames: list[dict[str, dict[str, Any]]] = field(init=False)

    def __post_init__(self) -> None:
        kept = [e for e in self.events if getattr(e, "KIND", None) == "telemetry"]
        self.steps = [e.step for e in kept]
        self.frames = [e.nodes for e in kept]
        self.losses = [(e.step, e.loss) for e in self.events
                       if getattr(e, "KIND", None) == "step" and e.loss is not None]

    def __len__(self) -> int:
        return len(self.steps)

    def metrics(self) -> list[str]:
        """The colourable metrics present in this run, in :data:`METRICS` order."""
        seen = {m for frame in self.frames for node in frame.values() for m in node}
        return [m for m in METRICS if m in seen]

    def nodes(self) -> set[str]:
        """Every node id any collection reported."""
        return {n for frame in self.frames for n in frame}

    def value(self, node_id: str, metric: str, index: int) -> Any:
        """The raw value (number, per-layer list, or None) at collection ``index``."""
        if not 0 <= index < len(self.frames):
            return None
        return self.frames[index].get(node_id, {}).get(metric)

    def history(self, node_id: str, metric: str) -> list[float | None]:
        """The node's metric (mean over layers) at every collection, for a sparkline."""
        return [scalar(frame.get(node_id, {}).get(metric)) for frame in self.frames]

    def history_raw(self, node_id: str, metric: str) -> list[Any]:
        """The node's raw metric (per-layer lists kept) at every collection."""
        return [frame.get(node_id, {}).get(metric) for frame in self.frames]

    def range(self, metric: str, log: bool = False) -> tuple[float, float] | None:
        """(low, high) of the metric over every node, layer and step (positive values
        only on a log scale), or None when the run has none."""
        values: list[float] = []
        for frame in self.frames:
            for node in frame.values():
                v = node.get(metric)
                items = v if isinstance(v, list) else [v]
                values += [float(x) for x in items if isinstance(x, (int, float))
                           and not isinstance(x, bool) and math.isfinite(x)
                           and (x > 0 or not log)]
        if not values:
            return None
        return min(values), max(values)

    def index_of(self, step: int) -> int:
        """The collection nearest to optimizer step ``step``."""
        if not self.steps:
            return 0
        return min(range(len(self.steps)), key=lambda i: abs(self.steps[i] - step))
