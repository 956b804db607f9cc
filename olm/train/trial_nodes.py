"""Trial scale inside the nodes: sizes written as numbers, rescaled with their ratios kept.

:mod:`olm.train.trial` changes a document's size *variables*. A document edited on the
canvas also holds sizes written as plain numbers in its nodes: the lesson's "Replace with
GQA" writes ``num_kv_heads: 3`` beside ``num_heads: {"var": "num_heads"}``, DeepSeek's
MoE layers repeat ``58`` times, its latent attention has ranks 512 and 1536. Shrinking
``num_heads`` 12 → 2 and keeping the 3 KV heads makes a model that cannot be built, so
this module walks every node (Repeat variants included) of the trial copy and, for each
size written as a number, applies the trial's rule to it, keeping every ratio valid:

* **heads** ``num_heads``: scaled like the document's head count (or to the trial head
  size), then lowered until it divides the node's width into even head sizes;
* **KV heads** ``num_kv_heads``: the node's original group size (``heads / kv``) kept,
  lowered until it divides the node's heads (also when only ``num_heads`` changed);
* **head sizes** ``head_dim``, ``qk_nope_head_dim``, ``qk_rope_head_dim``,
  ``v_head_dim``: capped at the trial head size, their proportions kept, even (RoPE);
* **widths** a literal equal to the original width becomes the new width; ``hidden_dim``
  and the latent ranks scale with the width (a multiple of 8, never above the original);
* **depth** a Repeat's literal ``num_repeat`` follows the depth rule (``L * d / D``, at
  least 2); every Repeat has
  at least as many layers as its pattern needs to use each variant;
* **experts**: counts stay (recipe), ``top_k`` never above the experts.
"""

from __future__ import annotations

from typing import Any

from olm.core.synonyms import names_for
from olm.graph.document import Graph, Node
from olm.graph.values import is_tag, resolve

__all__ = ["rescale_nodes", "pattern_layers", "head_cap"]

_HEADS = ("num_heads",)
_KV = "num_kv_heads"
_HEAD_SIZES = ("head_dim", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim")
_WIDTHS = (*names_for("embed_dim"), "in_features", "out_features")
_SCALED = (*names_for("hidden_dim"), "kv_lora_rank", "q_lora_rank")


def head_cap(width: int) -> int:
    """The largest head size a trial copy of ``width`` uses (32 below 256, else 64)."""
    return 32 if width < 256 else 64


def pattern_layers(node: Node, env: dict[str, Any]) -> int:
    """The fewest layers a Repeat needs for its pattern to use every variant (1 without)."""
    pattern = node.params.get("pattern")
    if pattern is None or len(node.children) <= 1:
        return 1
    try:
        values = resolve(pattern, env)
    except Exception:  # noqa: BLE001 - a broken pattern is reported by validation
        return 1
    if not isinstance(values, list) or not values:
        return 1
    first = {}
    for index, variant in enumerate(values):
        first.setdefault(variant, index)
    return max(first.values()) + 1


def _literal_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not is_tag(value)


def _value(node: Node, names: tuple[str, ...], env: dict[str, Any]) -> Any:
    for name in names:
        if name in node.params:
            try:
                return resolve(node.params[name], env)
            except Exception:  # noqa: BLE001 - validation reports it
                return None
    return None


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def _round8(value: float, ceiling: int) -> int:
    return min(ceiling, max(8, int(round(value / 8)) * 8))


class _Scale:
    """The ratios between the original and the trial copy's variables."""

    def __init__(self, env0: dict[str, Any], env1: dict[str, Any]) -> None:
        self.env0, self.env1 = env0, env1
        self.d0 = int(env0.get("embed_dim") or 0)
        self.d1 = int(env1.get("embed_dim") or self.d0)
        self.ratio = self.d1 / self.d0 if self.d0 else 1.0
        h0, h1 = env0.get("num_heads"), env1.get("num_heads")
        self.heads_ratio = h1 / h0 if isinstance(h0, int) and isinstance(h1, int) and h0 \
            else None
        self.cap = head_cap(self.d1)


def _rescale_width(node: Node, scale: _Scale) -> None:
    for name in _WIDTHS:
        if _literal_int(node.params.get(name)) and node.params[name] == scale.d0:
            node.params[name] = scale.d1
    for name in _SCALED:
        value = node.params.get(name)
        if _literal_int(value):
            node.params[name] = _round8(value * scale.ratio, value)


def _rescale_head_sizes(node: Node, cap: int) -> None:
    literal = {n: node.params[n] for n in _HEAD_SIZES if _literal_int(node.params.get(n))}
    if not literal:
        return
    widest = max(literal.values())
    factor = min(1.0, cap / widest) if widest else 1.0
    for name, value in literal.items():
        node.params[name] = _even(value * factor)


def _rescale_heads(node: Node, before: Node, scale: _Scale) -> None:
    heads0 = _value(before, _HEADS, scale.env0)
    if _literal_int(node.params.get("num_heads")) and isinstance(heads0, int):
        width = _value(node, names_for("embed_dim"), scale.env1)
        width0 = _value(before, names_for("embed_dim"), scale.env0)
        if scale.heads_ratio is not None:
            heads = round(heads0 * scale.heads_ratio)
        elif isinstance(width, int) and isinstance(width0, int) and heads0:
            heads = width // max(1, min(width0 // heads0, scale.cap))
        else:
            heads = heads0
        heads = max(1, min(heads0, heads))
        explicit = _value(node, ("head_dim",), scale.env1)
        while heads > 1 and isinstance(width, int) and explicit is None and (
                width % heads or (width // heads) % 2):
            heads -= 1
        node.params["num_heads"] = heads
    heads1, kv0 = _value(node, _HEADS, scale.env1), _value(before, (_KV,), scale.env0)
    kv1 = _value(node, (_KV,), scale.env1)
    if not (isinstance(heads1, int) and isinstance(kv0, int) and isinstance(kv1, int)):
        return
    if _literal_int(node.params.get(_KV)) or heads1 % max(1, kv1):
        group = max(1, (heads0 or kv0) // max(1, kv0))
        kv = max(1, heads1 // group)
        while heads1 % kv:
            kv -= 1
        node.params[_KV] = kv


def _rescale_depth(node: Node, scale: _Scale, variables: dict[str, Any]) -> None:
    count = node.params.get("num_repeat")
    if _literal_int(count):
        count = max(min(2, count), min(count, round(count * scale.ratio)))
        node.params["num_repeat"] = count
    least = pattern_layers(node, scale.env1)
    try:
        current = resolve(node.params.get("num_repeat", 1), scale.env1)
    except Exception:  # noqa: BLE001 - validation reports it
        return
    if isinstance(current, int) and current < least:
        bound = node.params.get("num_repeat")
        if isinstance(bound, dict) and set(bound) == {"var"} and _literal_int(
                variables.get(bound["var"])):
            variables[bound["var"]] = least  # the depth variable itself, so notes say so
        else:
            node.params["num_repeat"] = least


def _rescale_experts(node: Node, scale: _Scale) -> None:
    experts, top_k = _value(node, ("num_experts",), scale.env1), node.params.get("top_k")
    if _literal_int(top_k) and isinstance(experts, int) and top_k > experts:
        node.params["top_k"] = experts


def rescale_nodes(original: Graph, trial: Graph) -> Graph:
    """``trial`` (a copy of ``original`` with the trial's variables) with every size written
    as a number in a node rescaled by the module's rules. Node ids are shared by the two
    documents; ``trial`` is changed in place and returned."""
    env0, _ = original.variable_values()
    env1, _ = trial.variable_values()
    scale = _Scale(env0, env1)
    for node_id in list(trial.walk()):
        node, before = trial.nodes[node_id], original.nodes.get(node_id)
        if before is None:
            continue
        if node.type == "Repeat":
            _rescale_depth(node, scale, trial.variables)
            continue
        if scale.d0 and scale.d1 != scale.d0:
            _rescale_width(node, scale)
            _rescale_head_sizes(node, scale.cap)
        _rescale_heads(node, before, scale)
        _rescale_experts(node, scale)
    return trial
