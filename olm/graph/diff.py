"""The one structural diff of two architecture documents.

Compare highlights what differs, the runs view says *why* two curves differ ("LayerNorm →
RMSNorm"), and new runs are named after their differences from the preset ("GPT2
+RMSNorm +GQA +SwiGLU −pos"); all three read this module.

The diff walks both trees side by side, aligning each container's children with
:class:`difflib.SequenceMatcher` over their types, so one inserted node reads as one
insertion, not a cascade. Every change is either part of the *recipe* (component types,
structure, options such as activations, biases, rates) or of the *size* (dimensions and
counts: widths, heads, layers, vocabulary, as named in :mod:`olm.graph.synonyms`, and any
other whole-number value), so an edited GPT-2 that now has Llama 3's recipe reads "same
recipe, different size".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from olm.graph.document import Graph
from olm.graph.synonyms import is_size_concept
from olm.graph.values import ExprError, resolve, tag_of

__all__ = ["Aspect", "Change", "GraphDiff", "change_labels", "compare", "diff_graphs",
           "differences", "preset_label", "short_name"]

Aspect = Literal["recipe", "size"]

# Short names for run labels ("+GQA"); a type not listed here is shown as it is spelled.
_SHORT: dict[str, str] = {
    "GroupedQueryAttention": "GQA",
    "MultiHeadAttention": "MHA",
    "MultiHeadAttentionwithRoPE": "RoPE",
    "MultiHeadAttentionwithALiBi": "ALiBi",
    "FlashAttention": "MHA",
    "FlashAttentionwithRoPE": "RoPE",
    "SlidingWindowAttention": "SWA",
    "AbsolutePositionalEmbedding": "pos",
    "SinusoidalPositionalEmbedding": "sinpos",
    "RotaryPositionalEmbedding": "RoPE",
    "ScaledRotaryPositionalEmbedding": "RoPE",
    "PartialRotaryPositionalEmbedding": "RoPE",
    "PartialScaledRotaryPositionalEmbedding": "RoPE",
    "ALiBiPositionalBias": "ALiBi",
    "SwiGLUFFN": "SwiGLU",
    "GeGLUFFN": "GeGLU",
    "ClassicFFN": "MLP",
    "ClassicMoEFFN": "MoE",
    "SwiGLUMoEFFN": "MoE",
    "GeGLUMoEFFN": "MoE",
    "Dropout": "dropout",
}


def short_name(type_key: str) -> str:
    """A component type as a run label says it: ``GroupedQueryAttention`` -> ``GQA``."""
    return _SHORT.get(type_key, type_key)


@dataclass(frozen=True)
class Change:
    """One difference between two documents.

    Args:
        kind: "variable", "type", "param", "added" or "removed".
        path: where in the model ("Repeat › Residual #1"; plain Block wrappers omitted).
        before: the first document's value (text), empty for "added".
        after: the second document's value (text), empty for "removed".
        aspect: "recipe" (types, structure, options) or "size" (dimensions, counts).
        types: for "type"/"added"/"removed", the component types concerned (before, after).
    """

    kind: str
    path: str
    before: str = ""
    after: str = ""
    aspect: Aspect = field(default="recipe", compare=False)
    types: tuple[str, str] = field(default=("", ""), compare=False)

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added {self.after}"
        if self.kind == "removed":
            return f"{self.path}: removed {self.before}"
        return f"{self.path}: {self.before} → {self.after}"


@dataclass
class GraphDiff:
    """Everything that differs between documents ``a`` and ``b``.

    Args:
        changes: the differences, model variables first, in tree order.
        nodes_a: per aspect, the node ids of ``a`` whose place differs in ``b``.
        nodes_b: per aspect, the node ids of ``b`` whose place differs in ``a``.
    """

    changes: list[Change] = field(default_factory=list)
    nodes_a: dict[str, set[str]] = field(
        default_factory=lambda: {"recipe": set(), "size": set()})
    nodes_b: dict[str, set[str]] = field(
        default_factory=lambda: {"recipe": set(), "size": set()})

    def of(self, aspect: Aspect) -> list[Change]:
        """The changes of one aspect."""
        return [c for c in self.changes if c.aspect == aspect]

    @property
    def same_recipe(self) -> bool:
        """Whether the two use the same components, structure and options."""
        return not self.of("recipe") and not self.nodes_a["recipe"] | self.nodes_b["recipe"]

    @property
    def same_size(self) -> bool:
        """Whether every dimension and count is the same."""
        return not self.of("size") and not self.nodes_a["size"] | self.nodes_b["size"]

    def highlighted(self, aspect: Aspect | None = None) -> tuple[set[str], set[str]]:
        """Node ids of ``a`` and of ``b`` to highlight for ``aspect`` (both when None)."""
        aspects = ("recipe", "size") if aspect is None else (aspect,)
        return (set().union(*(self.nodes_a[x] for x in aspects)),
                set().union(*(self.nodes_b[x] for x in aspects)))

    def verdict(self) -> str:
        """One line for a person: "same recipe, different size", "identical", ..."""
        if self.same_recipe and self.same_size:
            return "identical"
        if self.same_recipe:
            return "same recipe, different size"
        if self.same_size:
            return "different recipe, same size"
        return "different recipe and different size"


def _is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _aspect_of(name: str, before: Any, after: Any) -> Aspect:
    """Size when the parameter is a dimension or count; recipe for everything else."""
    if is_size_concept(name):
        return "size"
    present = [v for v in (before, after) if v is not None]
    if present and all(_is_whole_number(v) for v in present):
        return "size"
    return "recipe"


class _Differ:
    """One walk over two documents, collecting changes and the nodes they concern."""

    def __init__(self, a: Graph, b: Graph) -> None:
        self.a, self.b = a, b
        self.env_a, self.env_b = a.variable_values()[0], b.variable_values()[0]
        self.result = GraphDiff()

    # -- recording -------------------------------------------------------------------------

    def _add(self, change: Change, ids_a: Iterable[str] = (), ids_b: Iterable[str] = ()) -> None:
        self.result.changes.append(change)
        self._touch(change.aspect, ids_a, ids_b)

    def _touch(self, aspect: Aspect, ids_a: Iterable[str] = (),
               ids_b: Iterable[str] = ()) -> None:
        self.result.nodes_a[aspect].update(ids_a)
        self.result.nodes_b[aspect].update(ids_b)

    # -- showing values --------------------------------------------------------------------

    @staticmethod
    def _show(value: Any, graph: Graph | None) -> str:
        """A parameter as the person would write it: names for variables, types for refs."""
        tag = tag_of(value)
        if tag in ("var", "expr"):
            return str(value[tag])
        if tag in ("ref", "module"):
            node = graph.nodes.get(value[tag]) if graph is not None else None
            kind = node.type if node is not None else "?"
            return f"the {kind}" if tag == "ref" else kind
        if tag == "literal":
            return repr(value["literal"])
        return repr(value)

    @staticmethod
    def _value(value: Any, env: dict[str, Any]) -> Any:
        if tag_of(value) in ("ref", "module"):
            return None
        try:
            return resolve(value, env)
        except (ExprError, KeyError, TypeError, ValueError):
            return None

    # -- walking ---------------------------------------------------------------------------

    def variables(self) -> None:
        va, vb = self.a.variables, self.b.variables
        for name in list(va) + [n for n in vb if n not in va]:
            before = self._show(va[name], None) if name in va else "(none)"
            after = self._show(vb[name], None) if name in vb else "(none)"
            if before != after:
                aspect = _aspect_of(name, self.env_a.get(name), self.env_b.get(name))
                self._add(Change("variable", f"variable {name}", before, after, aspect))

    def node(self, ida: str, idb: str, path: list[str]) -> None:
        """Compare two nodes at ``path`` (the segments down to and including them)."""
        na, nb = self.a.nodes[ida], self.b.nodes[idb]
        if na.type != nb.type:
            # The node's own label is the "before" side: show where it sits, not it twice.
            self._add(Change("type", _where(path[:-1]), na.type, nb.type, "recipe",
                             (na.type, nb.type)), [ida], [idb])
            self._touch("recipe", self._inner(self.a, ida), self._inner(self.b, idb))
            return
        self.params(ida, idb, path)
        if na.is_container:
            self.children(self._order(self.a, ida), self._order(self.b, idb), path)

    def params(self, ida: str, idb: str, path: list[str]) -> None:
        na, nb = self.a.nodes[ida], self.b.nodes[idb]
        pa, pb = na.params, nb.params
        for key in list(pa) + [k for k in pb if k not in pa]:
            va, vb = pa.get(key), pb.get(key)
            if tag_of(va) == "module" and tag_of(vb) == "module":
                self.node(va["module"], vb["module"], [*path, key])
                continue
            before = self._show(va, self.a) if key in pa else "(default)"
            after = self._show(vb, self.b) if key in pb else "(default)"
            value_a, value_b = self._value(va, self.env_a), self._value(vb, self.env_b)
            aspect = _aspect_of(key, value_a, value_b)
            if before != after:
                parent = _where(path[:-1])
                where = path[-1] if parent == "model" else f"{parent} › {path[-1]}"
                self._add(Change("param", f"{where} {key}", before, after, aspect),
                          [ida], [idb])
            elif value_a != value_b:
                # Written the same but worth different (a variable changed): the node is
                # touched, the change itself was reported once, as the variable.
                self._touch(aspect, [ida], [idb])

    def children(self, ca: list[str], cb: list[str], path: list[str]) -> None:
        ta = [self.a.nodes[i].type for i in ca]
        tb = [self.b.nodes[i].type for i in cb]
        labels_a = _labels(ta)
        matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            paired = min(a1 - a0, b1 - b0) if op in ("equal", "replace") else 0
            for k in range(paired):
                ida, idb = ca[a0 + k], cb[b0 + k]
                if self.a.nodes[ida].is_container != self.b.nodes[idb].is_container:
                    # A wrapper against a single part is a removal and an addition,
                    # not one part turning into another.
                    self.removed(ida, path)
                    self.added(idb, path)
                    continue
                self.node(ida, idb, [*path, labels_a[a0 + k]])
            for k in range(a0 + paired, a1):
                self.removed(ca[k], path)
            for k in range(b0 + paired, b1):
                self.added(cb[k], path)

    def removed(self, node_id: str, path: list[str]) -> None:
        kind = self.a.nodes[node_id].type
        self._add(Change("removed", _where(path), before=_summary(self.a, node_id),
                         types=(kind, "")), self._inner(self.a, node_id) + [node_id])

    def added(self, node_id: str, path: list[str]) -> None:
        kind = self.b.nodes[node_id].type
        self._add(Change("added", _where(path), after=_summary(self.b, node_id),
                         types=("", kind)), (), self._inner(self.b, node_id) + [node_id])

    @staticmethod
    def _order(graph: Graph, node_id: str) -> list[str]:
        try:
            return graph.order(node_id)
        except Exception:  # noqa: BLE001 - a malformed container: its stored order
            return list(graph.nodes[node_id].children)

    @staticmethod
    def _inner(graph: Graph, node_id: str) -> list[str]:
        return [i for i in graph.subtree(node_id) if i != node_id]


def _where(segments: list[str]) -> str:
    """A readable place: plain ``Block`` wrappers say nothing to a reader, so skip them."""
    shown = [seg for seg in segments if seg not in ("Block", "model")]
    return " › ".join(shown) if shown else "model"


def _summary(graph: Graph, node_id: str) -> str:
    """``LayerNorm``, or for a container its parts: ``Block(Embedding, AbsolutePositional…)``."""
    node = graph.nodes[node_id]
    if not node.is_container:
        return node.type
    inner = ", ".join(_summary(graph, child) for child in node.children)
    return f"{node.type}({inner})"


def _labels(types: list[str]) -> list[str]:
    """Child labels, numbered when siblings share a type ("Residual #2")."""
    counts: dict[str, int] = {}
    seen: dict[str, int] = {}
    for t in types:
        counts[t] = counts.get(t, 0) + 1
    labels = []
    for t in types:
        seen[t] = seen.get(t, 0) + 1
        labels.append(f"{t} #{seen[t]}" if counts[t] > 1 else t)
    return labels


def compare(a: Graph, b: Graph) -> GraphDiff:
    """Everything that differs between ``a`` (the "before" side) and ``b``.

    Args:
        a: the first document.
        b: the second document.

    Returns:
        The changes (model variables first) and, per aspect, the nodes concerned.
    """
    differ = _Differ(a, b)
    differ.variables()
    differ.node(a.root, b.root, ["model"])
    return differ.result


def diff_graphs(a: Graph, b: Graph) -> list[Change]:
    """The changes from ``a`` to ``b``, model variables first, in sentences a learner reads."""
    return compare(a, b).changes


def differences(a: Graph, b: Graph, aspect: Aspect | None = None) -> tuple[set[str], set[str]]:
    """Node ids of ``a`` and of ``b`` whose place holds something different in the other.

    Args:
        a: the first document.
        b: the second document.
        aspect: only "recipe" or only "size" differences; both when None.
    """
    return compare(a, b).highlighted(aspect)


def change_labels(base: Graph, graph: Graph) -> list[str]:
    """Short labels for how ``graph``'s recipe differs from ``base``'s, for run names.

    GPT-2 edited into a Llama-style model gives ``["+RMSNorm", "+GQA", "+SwiGLU",
    "−pos"]``: a swapped or added component is ``+`` its short name, a removed one ``−``
    (a true minus sign). Each label appears once, additions first, each in the order first
    met; sizes are not labelled (they are in the run's figures).
    """
    labels: list[str] = []

    def add(label: str) -> None:
        if label not in labels:
            labels.append(label)

    for change in compare(base, graph).of("recipe"):
        before, after = change.types
        if change.kind == "type":
            add(f"+{short_name(after)}")
        elif change.kind == "added" and after:
            add(f"+{short_name(after)}")
        elif change.kind == "removed" and before:
            add(f"−{short_name(before)}")
    labels = [label for label in labels if label not in ("+Block", "−Block")]
    return [x for x in labels if x.startswith("+")] + [x for x in labels if not x.startswith("+")]


def preset_label(graph: Graph) -> str:
    """``graph``'s name and its recipe changes from the preset of that name, for run names.

    A document opened from the GPT2 preset and edited towards Llama gives ``"GPT2 +RMSNorm
    +GQA +SwiGLU −pos"``; a document whose name is not a preset gives just its name.
    """
    from olm.core.errors import OLMError
    from olm.graph.source import preset_graph
    from olm.models import PRESETS

    name = graph.name or "model"
    if name not in PRESETS:
        return name
    try:
        labels = change_labels(preset_graph(name), graph)
    except OLMError:
        return name
    return " ".join([name, *labels])
