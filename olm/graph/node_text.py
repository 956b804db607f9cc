"""What distinguishes a node, and what differs between a Repeat's variants, in words.

A 2025-26 model is defined less by its widths than by a few switches: a sliding window,
QK-norm, logit soft-capping, MLA's latent ranks, expert counts and routing, shared
experts, attention sinks. The canvas shows them on a node's second line and names a
heterogeneous Repeat's variants by them ("local 512 ×22 · global ×4" for Gemma 3), so
the picture says what the model is without opening the inspector. The text is decided
here, without Qt, so the CLI and the tests read the same words the canvas paints.
"""

from __future__ import annotations

from typing import Any

from olm.graph.document import Graph
from olm.graph.synonyms import names_for
from olm.graph.values import resolve, tag_of

__all__ = ["node_features", "variant_labels", "repeat_variants_text"]

_WINDOW_NAMES = names_for("window")


def _value(graph: Graph, node_id: str, name: str, env: dict[str, Any]) -> Any:
    """The resolved value of one parameter, None when absent or not resolvable."""
    raw = graph.nodes[node_id].params.get(name)
    if raw is None or tag_of(raw) in ("ref", "module"):
        return None
    try:
        return resolve(raw, env)
    except Exception:  # noqa: BLE001 - an unresolvable value distinguishes nothing
        return None


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _window(graph: Graph, node_id: str, env: dict[str, Any]) -> Any:
    for name in _WINDOW_NAMES:
        value = _value(graph, node_id, name, env)
        if value:
            return value
    return None


def node_features(graph: Graph, node_id: str, env: dict[str, Any]) -> list[str]:
    """The switches that set this node apart from a plain one, e.g. ``["window 512", "QK-norm"]``.

    Only what is set is named (a sliding window, QK-norm, soft-capping, MLA latent ranks,
    expert count and top-k, shared experts, attention sinks), in that order; a plain
    attention or FFN gets an empty list.
    """
    get = lambda name: _value(graph, node_id, name, env)  # noqa: E731 - local shorthand
    parts: list[str] = []
    if (window := _window(graph, node_id, env)) is not None:
        parts.append(f"window {_number(window)}")
    if get("use_qk_norm"):
        parts.append("QK-norm")
    for name in ("attn_logit_softcap", "logit_softcap"):
        if (cap := get(name)) is not None:
            parts.append(f"softcap {_number(cap)}")
    ranks = [f"{label} rank {_number(v)}" for label, v in (("q", get("q_lora_rank")),
                                                            ("kv", get("kv_lora_rank")))
             if v is not None]
    parts.extend(ranks)
    if (experts := get("num_experts")) is not None:
        top_k = get("top_k")
        parts.append(f"{_number(experts)} experts" + (f" top-{_number(top_k)}" if top_k else ""))
    if shared := get("num_shared_experts"):
        parts.append(f"{_number(shared)} shared")
    if get("use_attention_sink"):
        parts.append("sinks")
    return parts


def _variant_tokens(graph: Graph, variant_id: str, env: dict[str, Any]) -> list[str]:
    """The features of every leaf of one variant; a sliding window reads ``local W``."""
    tokens: list[str] = []
    for leaf in graph.walk(variant_id):
        if graph.nodes[leaf].is_container:
            continue
        for feature in node_features(graph, leaf, env):
            token = feature.replace("window ", "local ", 1) if feature.startswith("window ") else feature
            if token not in tokens:
                tokens.append(token)
    return tokens


def _param_tokens(graph: Graph, variant_id: str, env: dict[str, Any]) -> list[str]:
    """Every leaf's type and resolved scalar parameters, to find a difference no feature names."""
    tokens: list[str] = []
    for leaf in graph.walk(variant_id):
        node = graph.nodes[leaf]
        if node.is_container:
            continue
        tokens.append(node.type)
        for name in node.params:
            value = _value(graph, leaf, name, env)
            if isinstance(value, (int, float, str, bool)):
                tokens.append(f"{name} {_number(value)}")
    return tokens


def variant_labels(graph: Graph, repeat_id: str, env: dict[str, Any]) -> list[str]:
    """One short name per variant of a ``Repeat``, by what differs: ``["local 512", "global"]``.

    Features all variants share are left out; a variant with no sliding window beside
    one that has one is ``global``; where no feature differs, the first differing type or
    parameter names it; failing that, ``variant A``, ``variant B``, ...
    """
    children = graph.nodes[repeat_id].children
    feature_sets = [_variant_tokens(graph, child, env) for child in children]
    shared = set.intersection(*(set(t) for t in feature_sets)) if feature_sets else set()
    any_local = any(t.startswith("local ") for tokens in feature_sets for t in tokens)
    param_sets = [_param_tokens(graph, child, env) for child in children]
    common_params = set.intersection(*(set(t) for t in param_sets)) if param_sets else set()
    labels = []
    for index, tokens in enumerate(feature_sets):
        own = [t for t in tokens if t not in shared]
        if any_local and not any(t.startswith("local ") for t in own):
            own.insert(0, "global")
        if not own:
            own = [t for t in param_sets[index] if t not in common_params][:2]
        labels.append(" · ".join(own) if own else f"variant {chr(ord('A') + index % 26)}")
    return labels


def repeat_variants_text(graph: Graph, repeat_id: str, layers: list[int] | None,
                         env: dict[str, Any]) -> str:
    """``local 512 ×22 · global ×4``: each variant's name and how many layers it makes.

    ``layers`` is each layer's variant index (:func:`olm.graph.repeat.layer_variants`);
    without it the counts are left out. Empty for a Repeat with one variant.
    """
    if len(graph.nodes[repeat_id].children) < 2:
        return ""
    labels = variant_labels(graph, repeat_id, env)
    if layers is None:
        return " · ".join(labels)
    return " · ".join(f"{label} ×{layers.count(i)}" for i, label in enumerate(labels))
