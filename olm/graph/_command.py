"""The base of every edit command: check, snapshot, change, emit; undo restores.

See :mod:`olm.graph.commands` for the commands themselves.
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import ConfigError, OLMError
from olm.graph._editing import Snapshot
from olm.graph.document import Graph, Node
from olm.graph.ranges import check_value

__all__ = ["UNSET", "Command", "container_node", "check_literal"]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()  # SetParam/SetVariable value that removes the entry


class Command:
    """Base of every edit: ``do(graph)`` then ``undo(graph)`` restores it exactly."""

    text = "edit"

    def __init__(self) -> None:
        self._before: Snapshot | None = None

    def touched(self, graph: Graph) -> set[str]:
        """Check the edit is possible and return the ids it may change."""
        raise NotImplementedError

    def apply(self, graph: Graph) -> None:
        """Make the change (only called after :meth:`touched` accepted it)."""
        raise NotImplementedError

    def do(self, graph: Graph) -> None:
        """Make the edit and emit events; raises :class:`OLMError` if it is impossible."""
        before = Snapshot(graph, self.touched(graph))
        try:
            self.apply(graph)
        except Exception:
            before.restore(graph)
            raise
        self._before = before
        before.emit(graph)

    def undo(self, graph: Graph) -> None:
        """Put the document back as it was before :meth:`do` and emit events."""
        if self._before is None:
            raise OLMError(f"{self.text!r} has not been done, so it cannot be undone")
        after = self._before.restore(graph)
        self._before = None
        after.emit(graph)


def container_node(graph: Graph, node_id: str) -> Node:
    node = graph.node(node_id)
    if not node.is_container:
        raise OLMError(f"{node.type} is a component, not a container")
    return node


def check_literal(name: str, kind: str, value: Any, optional: bool = True) -> None:
    problem = check_value(name, kind, value, optional)
    if problem:
        raise ConfigError(problem)
