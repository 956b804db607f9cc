"""Checks of how each container's children are wired, with networkx.

A ``Block`` runs its children one after another, so its wires must form one chain through
all of them; ``Residual`` holds exactly one child; ``Parallel`` feeds every branch the same
input, and a ``Repeat``'s children are its layer variants, so neither carries wires between
its children.
"""

from __future__ import annotations

import networkx as nx

from olm.graph.diagnostics import Diagnostic
from olm.graph.document import Graph, Node

__all__ = ["check_container"]


def _names(graph: Graph, ids: list[str]) -> str:
    return " → ".join(graph.nodes[i].type if i in graph.nodes else "?" for i in ids)


def check_container(graph: Graph, node: Node) -> list[Diagnostic]:
    """Diagnostics about ``node``'s children and wires (``node`` is a container)."""
    out: list[Diagnostic] = []

    def error(node_id: str, message: str, code: str) -> None:
        out.append(Diagnostic(node_id, "error", message, code))

    missing = [c for c in node.children if c not in graph.nodes]
    if missing:
        error(node.id, f"This {node.type} lists {len(missing)} part(s) that do not exist.", "missing")
        return out
    if not node.children:
        error(node.id, f"This {node.type} is empty: drop at least one component into it.", "empty")
        return out
    if node.type == "Residual" and len(node.children) > 1:
        error(
            node.id,
            f"A {node.type} wraps exactly one part, but this one holds {len(node.children)}; "
            "wrap them in a Block first.",
            "arity",
        )
        return out
    wires = node.wires
    children = set(node.children)
    strays = [e for e in wires.edges if e[0] not in children or e[1] not in children]
    if strays:
        error(node.id, f"This {node.type} has wires to parts outside it.", "wire")
        return out
    if node.type == "Parallel":
        if wires.number_of_edges():
            error(
                node.id,
                "Parallel branches all read the same input and run side by side; remove the "
                "wires between them.",
                "wire",
            )
        return out
    if node.type == "Repeat":
        if wires.number_of_edges():
            error(
                node.id,
                "The parts of a Repeat are its layer variants, used one per layer as the "
                "pattern says; remove the wires between them.",
                "wire",
            )
        return out
    if len(node.children) == 1:
        return out
    try:
        cycle = nx.find_cycle(wires)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        loop = [a for a, _ in cycle] + [cycle[0][0]]
        error(
            node.id,
            f"The wires in this {node.type} form a loop ({_names(graph, loop)}); data must "
            "flow one way, from the input to the output.",
            "cycle",
        )
        return out
    position = {c: i for i, c in enumerate(node.children)}
    for child in node.children:
        label = graph.nodes[child].type
        if wires.degree(child) == 0:
            error(child, f"{label} is not wired to anything in its {node.type}.", "unwired")
        elif wires.out_degree(child) > 1 or wires.in_degree(child) > 1:
            error(
                child,
                f"{label} is wired to several parts, but a {node.type} runs its parts one "
                "after another; use Parallel for branches.",
                "branch",
            )
    if out:
        return out
    sources = sorted((c for c in node.children if wires.in_degree(c) == 0), key=position.get)
    sinks = sorted((c for c in node.children if wires.out_degree(c) == 0), key=position.get)
    for sink in sinks[:-1]:
        error(
            sink,
            f"The output of {graph.nodes[sink].type} goes nowhere (a dangling part): wire it "
            "to the next part.",
            "dangling",
        )
    for source in sources[1:]:
        error(
            source,
            f"{graph.nodes[source].type} receives no input: wire the part before it to it.",
            "dangling",
        )
    return out
