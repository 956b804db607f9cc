"""Text the canvas shows for a node: its defining values and figures, from the document.

A node shows its type, two or three defining values (``d 768 · 12 heads``) and its
parameter count; everything else is in the inspector (UX.md). Which values define a
component is decided here, by parameter name, so a new component gets sensible text
without a per-class table.
"""

from __future__ import annotations

from typing import Any

from olm.graph.document import Graph
from olm.graph.node_text import node_features
from olm.graph.synonyms import names_for
from olm.graph.values import resolve, tag_of

__all__ = ["defining_values", "format_count", "format_bytes", "extra_line"]

# (concept or parameter name, how to show it); the first three present are shown, in this
# order. Concepts expand to their spellings through olm.graph.synonyms (the one table).
_SHOWN: list[tuple[str, str]] = [
    ("vocab_size", "vocab {v}"),
    ("embed_dim", "d {v}"),
    ("dim", "d {v}"),
    ("num_heads", "{v} heads"),
    ("num_kv_heads", "{v} kv"),
    ("hidden_dim", "ff {v}"),
    ("num_experts", "{v} experts"),
    ("top_k", "top-{v}"),
    ("max_seq_len", "ctx {v}"),
    ("head_dim", "hd {v}"),
    ("activation", "{v}"),
    ("window", "window {v}"),
    ("eps", "eps {v:g}"),
    ("merge", "merge {v}"),
]
_DEFINING: list[tuple[str, str]] = [
    (name, fmt) for concept, fmt in _SHOWN for name in names_for(concept) if name != "window"
]
_BIAS_NAMES = ("bias", "use_bias", "qkv_bias")


def format_count(n: int | float | None) -> str:
    """Human parameter / FLOP counts: 7.1M, 405.9B, 950."""
    if n is None:
        return "—"
    n = float(n)
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            value = n / size
            return f"{value:.1f}{unit}" if abs(value) < 100 else f"{value:.0f}{unit}"
    return f"{n:.0f}"


def format_bytes(n: int | float | None) -> str:
    """Human byte counts: 498 MB, 1.6 TB."""
    if n is None:
        return "—"
    n = float(n)
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if abs(n) >= size:
            value = n / size
            return f"{value:.1f} {unit}" if abs(value) < 100 else f"{value:.0f} {unit}"
    return f"{n:.0f} B"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    return str(value)


def defining_values(graph: Graph, node_id: str, env: dict[str, Any]) -> str:
    """What sets the node apart, then its defining values: ``window 512 · QK-norm · d 1152``.

    The distinguishing switches (:func:`olm.graph.node_text.node_features`) come first so
    that eliding a narrow node cuts the widths, never the sliding window or the experts.
    """
    node = graph.nodes[node_id]
    features = node_features(graph, node_id, env)
    parts: list[str] = []
    limit = max(3, len(features) + 2)
    experts_named = any("experts" in f for f in features)
    for name, fmt in _DEFINING:
        if name not in node.params or len(features) + len(parts) >= limit:
            continue
        if experts_named and name in names_for("num_experts") + names_for("top_k"):
            continue
        raw = node.params[name]
        if tag_of(raw) in ("ref", "module"):
            continue
        try:
            value = resolve(raw, env)
        except Exception:  # noqa: BLE001 - an unresolvable value is shown as written
            value = raw.get("var") or raw.get("expr") if isinstance(raw, dict) else raw
        if value is None:
            continue
        try:
            parts.append(fmt.format(v=value) if "{v:g}" in fmt else fmt.format(v=_show(value)))
        except (ValueError, TypeError):
            parts.append(f"{name} {_show(value)}")
    biases = [node.params[b] for b in _BIAS_NAMES if b in node.params]
    if biases and all(b is False for b in biases) and len(features) + len(parts) < 3:
        parts.append("no bias")
    return " · ".join(features + parts)


def extra_line(graph: Graph, node_id: str) -> str:
    """Owned components and references, e.g. ``norm: RMSNorm · tied to Embedding``."""
    node = graph.nodes[node_id]
    parts = []
    for name, value in node.params.items():
        tag = tag_of(value)
        target = graph.nodes.get(value[tag]) if tag in ("ref", "module") else None
        if target is None:
            continue
        parts.append(f"tied to {target.type}" if tag == "ref" else f"{name}: {target.type}")
    return " · ".join(parts)
