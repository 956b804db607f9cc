"""A tiny plain-Python event, so the document can announce edits without knowing Qt.

The Studio connects Qt-side callbacks to these events (STYLE.md points 11 and 13): the
document stays headless, and every view redraws from what the events tell it.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["Event", "GraphEvents"]


class Event:
    """A list of callbacks called in connection order with the emitted arguments.

    Args:
        name (str): what the event announces, for error messages and ``repr``.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        """Call ``callback(*args)`` on every future ``emit``."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        """Stop calling ``callback``; a callback that was never connected is ignored."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        """Call every connected callback with ``args``."""
        for callback in list(self._callbacks):
            callback(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} callbacks)"


class GraphEvents:
    """The events a :class:`~olm.graph.document.Graph` emits when a command edits it.

    Each event passes the id of what changed; ``changed`` fires once after every edit
    (after the specific event) so a view that only recomputes figures needs one callback.
    """

    def __init__(self) -> None:
        self.node_added = Event("node_added")  # (node_id, parent_id)
        self.node_removed = Event("node_removed")  # (node_id, parent_id)
        self.node_moved = Event("node_moved")  # (node_id, old_parent_id, new_parent_id)
        self.node_changed = Event("node_changed")  # (node_id) params or type changed
        self.wiring_changed = Event("wiring_changed")  # (container_id)
        self.variables_changed = Event("variables_changed")  # (name)
        self.changed = Event("changed")  # ()
