"""Telemetry turned into diagnostics pinned to nodes: what went wrong, where and when.

:func:`diagnose` reads ``telemetry`` events (``olm.train.events.TelemetryEvent``, live or
from a finished run) and reports, for the node it is about, the first step and layer
where it saw:

* ``act_exploding`` / ``act_vanishing``: a layer's output RMS grows or shrinks by more
  than :data:`DEPTH_RATIO` from the first to the last layer of a ``Repeat``, or any
  output RMS passes :data:`ACT_HUGE`;
* ``update_large`` / ``update_small``: an update-to-weight ratio far from the usual 1e-3
  (above :data:`UPDATE_HIGH` or below :data:`UPDATE_LOW`);
* ``expert_dead`` / ``expert_overloaded``: an expert's share of routing slots below
  ``1/(4E)`` or above ``4/E``;
* ``attention_collapse`` / ``attention_uniform``: attention entropy near zero (one key
  takes everything) or, after the first collection, near uniform (attends to nothing);
* ``norm_gain_zero``: a norm's mean gain drifting to zero.

Plain Python over the events (no torch), so the Studio can run it on every new event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from olm.graph.diagnostics import Diagnostic

__all__ = ["TelemetryDiagnostic", "diagnose", "DEPTH_RATIO", "ACT_HUGE", "UPDATE_HIGH",
           "UPDATE_LOW", "COLLAPSED", "UNIFORM", "GAIN_ZERO"]

DEPTH_RATIO = 100.0
"""Last layer's output RMS over the first layer's (or the inverse) that counts as
exploding (vanishing) across depth."""
ACT_HUGE = 1e4
"""An output RMS this large is exploding wherever it is."""
UPDATE_HIGH = 0.1
"""Update-to-weight ratios above this (100x the usual 1e-3) move weights too far a step."""
UPDATE_LOW = 1e-6
"""Update-to-weight ratios below this barely train the node."""
COLLAPSED = 0.05
"""Normalised attention entropy below this: each query attends to about one key."""
UNIFORM = 0.995
"""Normalised attention entropy above this: attention is (still) uniform."""
GAIN_ZERO = 0.05
"""A norm's mean gain below this (in absolute value) has all but switched it off."""


@dataclass(frozen=True)
class TelemetryDiagnostic(Diagnostic):
    """A :class:`~olm.graph.diagnostics.Diagnostic` seen in telemetry, with when and where.

    Args:
        step (int): the first optimizer step it was seen at.
        layer (int | None): the layer of a node inside a ``Repeat`` (None outside one).
    """

    step: int = 0
    layer: int | None = None


def _scalar_layers(value: Any) -> list[tuple[int | None, float]]:
    """(layer, number) pairs of a metric value (a number, or one per layer)."""
    if isinstance(value, list):
        return [(i, float(v)) for i, v in enumerate(value)
                if isinstance(v, (int, float)) and math.isfinite(v)]
    if isinstance(value, (int, float)) and math.isfinite(value):
        return [(None, float(value))]
    return []


def _load_layers(value: Any) -> list[tuple[int | None, list[float]]]:
    """(layer, loads) pairs of an ``expert_load`` value."""
    if not isinstance(value, list) or not value:
        return []
    if isinstance(value[0], list) or value[0] is None:
        return [(i, v) for i, v in enumerate(value) if isinstance(v, list)]
    return [(None, value)]


def _where(layer: int | None) -> str:
    return "" if layer is None else f" in layer {layer}"


class _Found:
    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.items: dict[tuple[str, str, int | None], TelemetryDiagnostic] = {}

    def name(self, node_id: str) -> str:
        if self.graph is not None and node_id in getattr(self.graph, "nodes", {}):
            return f"{self.graph.node(node_id).type}"
        return f"node {node_id[:8]}"

    def add(self, node_id: str, code: str, step: int, layer: int | None, message: str) -> None:
        if (node_id, code, layer) not in self.items:  # the first time it was seen
            self.items[(node_id, code, layer)] = TelemetryDiagnostic(
                node_id, "warning", f"{self.name(node_id)}{_where(layer)}: {message} at step "
                f"{step}.", code, step=step, layer=layer)


def _layer_outputs(graph: Any) -> set[str]:
    """Ids of the direct children of ``Repeat`` nodes (whose output is a layer's output)."""
    if graph is None:
        return set()
    return {c for node in graph.nodes.values() if node.type == "Repeat" for c in node.children}


def diagnose(events: Iterable[Any], graph: Any = None) -> list[TelemetryDiagnostic]:
    """The diagnostics a run's telemetry events show, one per node, layer and problem.

    Args:
        events: the run's events (other kinds are ignored), in order.
        graph: the run's graph document, to name nodes and find layer outputs (optional).

    Returns:
        list: :class:`TelemetryDiagnostic` in the order they were first seen.
    """
    found = _Found(graph)
    outputs = _layer_outputs(graph)
    telemetry = [e for e in events if getattr(e, "KIND", None) == "telemetry"]
    for index, event in enumerate(telemetry):
        for node_id, metrics in event.nodes.items():
            _check(found, node_id, metrics, event.step, node_id in outputs, first=index == 0)
    return list(found.items.values())


def _check(found: _Found, node_id: str, m: dict, step: int, layer_output: bool,
           first: bool) -> None:
    rms = _scalar_layers(m.get("act_rms"))
    for layer, value in rms:
        if value > ACT_HUGE:
            found.add(node_id, "act_exploding", step, layer,
                      f"output RMS reached {value:.3g}; lower the learning rate or check the "
                      f"initialisation and norms")
            break
    if layer_output and len(rms) >= 2:
        (l0, a), (l1, b) = rms[0], rms[-1]
        if a > 0 and b / a > DEPTH_RATIO:
            found.add(node_id, "act_exploding", step, l1,
                      f"output RMS grows {b / a:.3g}x from layer {l0} ({a:.3g}) to layer {l1} "
                      f"({b:.3g}): activations explode across depth")
        elif b > 0 and a / b > DEPTH_RATIO:
            found.add(node_id, "act_vanishing", step, l1,
                      f"output RMS shrinks {a / b:.3g}x from layer {l0} ({a:.3g}) to layer "
                      f"{l1} ({b:.3g}): activations vanish across depth")
    for layer, value in _scalar_layers(m.get("update_ratio")):
        if value > UPDATE_HIGH:
            found.add(node_id, "update_large", step, layer,
                      f"update-to-weight ratio {value:.3g}, far above the usual 1e-3: the "
                      f"learning rate is too high")
        elif 0 < value < UPDATE_LOW:
            found.add(node_id, "update_small", step, layer,
                      f"update-to-weight ratio {value:.3g}, far below the usual 1e-3: the "
                      f"node barely trains (learning rate too low?)")
    for layer, loads in _load_layers(m.get("expert_load")):
        e = len(loads)
        for expert, share in enumerate(loads):
            if share is None:
                continue
            if share < 1 / (4 * e):
                found.add(node_id, "expert_dead", step, layer,
                          f"expert {expert} gets {share:.1%} of the tokens (under 1/(4E) = "
                          f"{1 / (4 * e):.1%}): a dead expert")
            elif share > 4 / e:
                found.add(node_id, "expert_overloaded", step, layer,
                          f"expert {expert} gets {share:.1%} of the tokens (over 4/E = "
                          f"{4 / e:.1%}): the router overloads it")
    for layer, value in _scalar_layers(m.get("attn_entropy_norm")):
        if value < COLLAPSED:
            found.add(node_id, "attention_collapse", step, layer,
                      f"attention entropy is {value:.1%} of uniform: each query attends to "
                      f"about one key (attention collapse)")
        elif value > UNIFORM and not first:
            found.add(node_id, "attention_uniform", step, layer,
                      f"attention entropy is {value:.1%} of uniform: attention has not "
                      f"learned to prefer any key")
    for layer, value in _scalar_layers(m.get("norm_gain")):
        if abs(value) < GAIN_ZERO:
            found.add(node_id, "norm_gain_zero", step, layer,
                      f"mean norm gain {value:.3g} has drifted to zero: the norm switches "
                      f"its output off")
