"""Copy and paste of document fragments (a node with everything it holds).

A fragment is plain JSON (the nodes of the copied subtrees); pasting gives every node a
fresh id and rewrites children, wires and ``ref``/``module`` tags to match, so a pasted
block is independent of the original. References to nodes outside the fragment (a head
tied to the embedding) are dropped, since the pasted copy has no such neighbour.

This is document logic, so it lives in ``olm.graph``; the Studio only moves the text to
and from the system clipboard. Clipboard text comes from anywhere, so a fragment is
checked before anything is made from it: anything malformed is a
:class:`~olm.core.errors.ConfigError` naming what is wrong.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from olm.core.errors import ConfigError
from olm.graph.document import Graph, Node, new_id
from olm.graph.values import tag_of

__all__ = ["copy_fragment", "fragment_nodes"]


def copy_fragment(graph: Graph, ids: list[str]) -> str:
    """JSON text of the subtrees rooted at ``ids`` (descendants of other ids skipped)."""
    chosen = set(ids)
    roots = [i for i in ids if not any(a in chosen for a in _ancestors(graph, i))]
    nodes: dict[str, Any] = {}
    for root in roots:
        for node_id in graph.subtree(root):
            node = graph.nodes[node_id]
            nodes[node_id] = {"type": node.type, "params": node.params,
                              "children": node.children,
                              "wires": [list(e) for e in node.wires.edges] if node.wires else []}
    return json.dumps({"roots": roots, "nodes": nodes})


def _ancestors(graph: Graph, node_id: str) -> list[str]:
    owners = graph.owners()
    out = []
    current = owners.get(node_id)
    while current is not None:
        out.append(current)
        current = owners.get(current)
    return out


def _remap(value: Any, ids: dict[str, str]) -> Any:
    tag = tag_of(value)
    if tag in ("ref", "module"):
        target = ids.get(value[tag])
        return {tag: target} if target else None
    if isinstance(value, dict):
        return {k: _remap(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_remap(v, ids) for v in value]
    return value


def fragment_nodes(text: str) -> list[tuple[Node, list[Node]]]:
    """Fresh nodes from a fragment: one (root, [nodes it holds]) pair per copied subtree.

    Raises:
        ConfigError: ``text`` is not a well-formed fragment.
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ConfigError("the clipboard does not hold OLM components") from None
    _check(data)
    ids = {old: new_id() for old in data["nodes"]}
    made: dict[str, Node] = {}
    for old, entry in data["nodes"].items():
        params = {k: _remap(v, ids) for k, v in entry.get("params", {}).items()}
        params = {k: v for k, v in params.items() if v is not None or entry["params"][k] is None}
        children = [ids[c] for c in entry.get("children", [])]
        node = Node(entry["type"], params, children, id=ids[old])
        if node.is_container:
            wires = nx.DiGraph()
            wires.add_nodes_from(children)
            wires.add_edges_from((ids[a], ids[b]) for a, b in entry.get("wires", []))
            node.wires = wires
        made[old] = node
    out = []
    for root in data["roots"]:
        inner = [made[i] for i in _subtree(data["nodes"], root) if i != root]
        out.append((made[root], inner))
    return out


def _check(data: Any) -> None:
    """Refuse anything that is not the shape :func:`copy_fragment` writes."""
    if not isinstance(data, dict) or "roots" not in data or "nodes" not in data:
        raise ConfigError("the clipboard does not hold OLM components")
    nodes, roots = data["nodes"], data["roots"]
    if not isinstance(nodes, dict) or not isinstance(roots, list):
        raise ConfigError("the copied components are malformed: roots must be a list, "
                          "nodes a mapping")
    for node_id, entry in nodes.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise ConfigError(f"copied component {node_id!r} has no type")
        if not isinstance(entry.get("params", {}), dict):
            raise ConfigError(f"copied {entry['type']} has malformed parameters")
        children = entry.get("children", [])
        if not isinstance(children, list) or any(c not in nodes for c in children):
            raise ConfigError(f"copied {entry['type']} holds parts that were not copied")
        wires = entry.get("wires", [])
        if not isinstance(wires, list) or any(
                not isinstance(w, list) or len(w) != 2 or any(e not in children for e in w)
                for w in wires):
            raise ConfigError(f"copied {entry['type']} has wires to parts it does not hold")
    if any(not isinstance(r, str) or r not in nodes for r in roots):
        raise ConfigError("the copied components name a part that was not copied")


def _subtree(nodes: dict[str, Any], root: str) -> list[str]:
    """The ids held under ``root``; a part reached twice (a loop) is refused."""
    out, stack, seen = [], [root], set()
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            raise ConfigError("the copied components hold themselves (a loop)")
        seen.add(node_id)
        out.append(node_id)
        entry = nodes[node_id]
        stack.extend(entry.get("children", []))
        stack.extend(v["module"] for v in entry.get("params", {}).values()
                     if tag_of(v) == "module" and v["module"] in nodes)
    return out
