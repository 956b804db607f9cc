"""What differs between the architectures of two runs, in sentences a learner reads.

Runs keep the exact graph they trained, so comparing the GPT-2 and the Llama-style run
can say *why* the curves differ: "LayerNorm → RMSNorm", "num_kv_heads num_heads → 2".
The diff walks both documents' trees side by side (from ``Graph.to_dict()``, the stable
saved form), aligning each container's children with :class:`difflib.SequenceMatcher`
over their types, so one inserted node reads as one insertion, not a cascade.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "diff_graphs", "diff_documents"]

_TAGS = ("var", "expr", "ref", "module", "literal")


@dataclass(frozen=True)
class Change:
    """One difference.

    Args:
        kind: "variable", "type", "param", "added" or "removed".
        path: where in the model ("Repeat › Residual #1"; plain Block wrappers omitted).
        before: the first run's value (text), empty for "added".
        after: the second run's value (text), empty for "removed".
    """

    kind: str
    path: str
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added {self.after}"
        if self.kind == "removed":
            return f"{self.path}: removed {self.before}"
        return f"{self.path}: {self.before} → {self.after}"


def _tag(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TAGS:
        return next(iter(value))
    return None


def _show(value: Any, nodes: dict[str, Any]) -> str:
    """A parameter as the person would write it: names for variables, types for refs."""
    tag = _tag(value)
    if tag in ("var", "expr"):
        return str(value[tag])
    if tag == "ref":
        return f"the {nodes.get(value['ref'], {}).get('type', '?')}"
    if tag == "module":
        return nodes.get(value["module"], {}).get("type", "?")
    if tag == "literal":
        return repr(value["literal"])
    return repr(value)


def _where(segments: list[str]) -> str:
    """A readable place: plain ``Block`` wrappers say nothing to a reader, so skip them."""
    shown = [seg for seg in segments if seg not in ("Block", "model")]
    return " › ".join(shown) if shown else "model"


class _Differ:
    def __init__(self, a: dict[str, Any], b: dict[str, Any]) -> None:
        self.a, self.b = a, b
        self.changes: list[Change] = []

    def variables(self) -> None:
        va, vb = self.a.get("variables", {}), self.b.get("variables", {})
        for name in list(va) + [n for n in vb if n not in va]:
            before = _show(va[name], {}) if name in va else "(none)"
            after = _show(vb[name], {}) if name in vb else "(none)"
            if before != after:
                self.changes.append(Change("variable", f"variable {name}", before, after))

    def node(self, ida: str, idb: str, path: list[str]) -> None:
        """Compare two nodes at ``path`` (the segments down to and including them)."""
        na, nb = self.a["nodes"][ida], self.b["nodes"][idb]
        if na["type"] != nb["type"]:
            # The node's own label is the "before" side: show where it sits, not it twice.
            self.changes.append(Change("type", _where(path[:-1]), na["type"], nb["type"]))
            return
        self.params(na, nb, path)
        self.children(na.get("children", []), nb.get("children", []), path)

    def params(self, na: dict[str, Any], nb: dict[str, Any], path: list[str]) -> None:
        pa, pb = na.get("params", {}), nb.get("params", {})
        for key in list(pa) + [k for k in pb if k not in pa]:
            va, vb = pa.get(key), pb.get(key)
            if _tag(va) == "module" and _tag(vb) == "module":
                self.node(va["module"], vb["module"], [*path, key])
                continue
            before = _show(va, self.a["nodes"]) if key in pa else "(default)"
            after = _show(vb, self.b["nodes"]) if key in pb else "(default)"
            if before != after:
                parent = _where(path[:-1])
                where = path[-1] if parent == "model" else f"{parent} › {path[-1]}"
                self.changes.append(Change("param", f"{where} {key}", before, after))

    def children(self, ca: list[str], cb: list[str], path: list[str]) -> None:
        nodes_a, nodes_b = self.a["nodes"], self.b["nodes"]
        ta = [nodes_a[i]["type"] for i in ca]
        tb = [nodes_b[i]["type"] for i in cb]
        labels_a = _labels(ta)
        matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            paired = min(a1 - a0, b1 - b0) if op in ("equal", "replace") else 0
            for k in range(paired):
                ida, idb = ca[a0 + k], cb[b0 + k]
                if _is_container(nodes_a[ida]) != _is_container(nodes_b[idb]):
                    # A wrapper against a single part is a removal and an addition,
                    # not one part turning into another.
                    self.changes.append(Change("removed", _where(path),
                                               before=_summary(nodes_a, ida)))
                    self.changes.append(Change("added", _where(path),
                                               after=_summary(nodes_b, idb)))
                    continue
                self.node(ida, idb, [*path, labels_a[a0 + k]])
            for k in range(a0 + paired, a1):
                self.changes.append(Change("removed", _where(path),
                                           before=_summary(nodes_a, ca[k])))
            for k in range(b0 + paired, b1):
                self.changes.append(Change("added", _where(path),
                                           after=_summary(nodes_b, cb[k])))


def _is_container(node: dict[str, Any]) -> bool:
    return "children" in node


def _summary(nodes: dict[str, Any], node_id: str) -> str:
    """``LayerNorm``, or for a container its parts: ``Block(Embedding, AbsolutePositional…)``."""
    node = nodes[node_id]
    if not _is_container(node):
        return node["type"]
    inner = ", ".join(_summary(nodes, child) for child in node["children"])
    return f"{node['type']}({inner})"


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


def diff_documents(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Differences between two saved documents (``Graph.to_dict()`` form)."""
    differ = _Differ(a, b)
    differ.variables()
    differ.node(a["root"], b["root"], ["model"])
    return differ.changes


def diff_graphs(a: Any, b: Any) -> list[Change]:
    """Differences between two ``olm.graph`` documents, model variables first.

    Args:
        a: the first graph (its values are the "before" side).
        b: the second graph.
    """
    return diff_documents(a.to_dict(), b.to_dict())
