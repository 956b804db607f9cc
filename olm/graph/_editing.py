"""Helpers the edit commands share: splicing a child into a chain, snapshots, events."""

from __future__ import annotations

from typing import Any

from olm.core.errors import OLMError
from olm.graph.document import SINGLE_CHILD, Graph, Node

__all__ = ["insert_child", "detach_child", "Snapshot"]


def insert_child(graph: Graph, parent: Node, child_id: str, index: int | None) -> None:
    """Put ``child_id`` into ``parent`` at ``index`` (in data-flow order) and wire it in."""
    if not parent.is_container:
        raise OLMError(f"{parent.type} is a component, not a container; it cannot hold parts")
    if parent.type in SINGLE_CHILD and parent.children:
        raise OLMError(
            f"A {parent.type} holds exactly one part; wrap its content in a Block to add more"
        )
    order = graph.order(parent.id)
    index = len(order) if index is None else max(0, min(index, len(order)))
    before = order[index - 1] if index > 0 else None
    after = order[index] if index < len(order) else None
    parent.children.insert(_children_index(parent, order, index), child_id)
    parent.wires.add_node(child_id)
    if parent.type == "Parallel":
        return
    if before is not None and after is not None and parent.wires.has_edge(before, after):
        parent.wires.remove_edge(before, after)
    if before is not None:
        parent.wires.add_edge(before, child_id)
    if after is not None:
        parent.wires.add_edge(child_id, after)


def _children_index(parent: Node, order: list[str], index: int) -> int:
    if index < len(order):
        return parent.children.index(order[index])
    return len(parent.children)


def detach_child(parent: Node, child_id: str) -> int:
    """Take ``child_id`` out of ``parent``, joining its neighbours; returns its old index."""
    index = parent.children.index(child_id)
    preds = list(parent.wires.predecessors(child_id))
    succs = list(parent.wires.successors(child_id))
    parent.children.remove(child_id)
    parent.wires.remove_node(child_id)
    if parent.type != "Parallel" and len(preds) == 1 and len(succs) == 1:
        parent.wires.add_edge(preds[0], succs[0])
    return index


class Snapshot:
    """Copies of some nodes (and the variables) taken before an edit, for undo and events.

    Args:
        graph (Graph): the document.
        ids (set[str]): nodes the edit may touch (absent ones are remembered as absent).
    """

    def __init__(self, graph: Graph, ids: set[str]) -> None:
        self.nodes: dict[str, Node | None] = {
            i: (graph.nodes[i].copy() if i in graph.nodes else None) for i in ids
        }
        self.variables: dict[str, Any] = dict(graph.variables)
        self.owners = graph.owners()

    def restore(self, graph: Graph) -> Snapshot:
        """Put the remembered state back; returns a snapshot of the state it replaced."""
        current = Snapshot(graph, set(self.nodes))
        for node_id, node in self.nodes.items():
            if node is None:
                graph.nodes.pop(node_id, None)
            else:
                graph.nodes[node_id] = node.copy()
        graph.variables.clear()
        graph.variables.update(self.variables)
        return current

    def emit(self, graph: Graph) -> None:
        """Announce what differs between this snapshot and the graph now."""
        events = graph.events
        owners = graph.owners()
        for node_id, old in self.nodes.items():
            new = graph.nodes.get(node_id)
            if old is None and new is not None:
                events.node_added.emit(node_id, owners.get(node_id))
            elif old is not None and new is None:
                events.node_removed.emit(node_id, self.owners.get(node_id))
            elif old is not None and new is not None:
                if self.owners.get(node_id) != owners.get(node_id):
                    events.node_moved.emit(node_id, self.owners.get(node_id), owners.get(node_id))
                if old.type != new.type or old.params != new.params:
                    events.node_changed.emit(node_id)
                if new.is_container and (
                    old.children != new.children or set(old.wires.edges) != set(new.wires.edges)
                ):
                    events.wiring_changed.emit(node_id)
        for name in set(self.variables) | set(graph.variables):
            if self.variables.get(name, _MISSING) != graph.variables.get(name, _MISSING):
                events.variables_changed.emit(name)
        events.changed.emit()


_MISSING = object()
