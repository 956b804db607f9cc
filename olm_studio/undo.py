"""The one QUndoCommand: a Qt wrapper around plain ``olm.graph.commands`` commands.

The commands live in ``olm.graph.commands`` (no Qt, testable headless). The controller
runs a command's ``do`` first, so an impossible edit (a loop, a bad value) is refused
with its message before anything reaches the undo stack; the adapter is then pushed
already done. ``undo``/``redo`` call the commands' ``undo``/``do``; consecutive edits
of the same field (a spin box being typed into) merge into one step. Views redraw from
the document's events, so the adapter never touches an item.
"""

from __future__ import annotations

import zlib
from typing import Any

from PySide6.QtGui import QUndoCommand

from olm.graph.commands import SetParam, SetVariable
from olm.graph.document import Graph

__all__ = ["GraphCommand", "command_label", "merge_key"]


def command_label(command: Any) -> str:
    """The text the Edit menu shows for ``command`` ("Undo set embed_dim")."""
    if isinstance(command, SetVariable):
        return f"set {command.name}"
    if isinstance(command, SetParam):
        return f"set {command.name}"
    label = getattr(command, "label", None) or getattr(command, "text", None)
    return str(label) if label else type(command).__name__


def merge_key(command: Any) -> tuple | None:
    """Which field an edit changes, for merging consecutive edits (None: never merge)."""
    if isinstance(command, SetVariable):
        return ("variable", command.name)
    if isinstance(command, SetParam):
        return ("param", command.node_id, command.name)
    return None


class GraphCommand(QUndoCommand):
    """One undo step made of one or more (merged) ``olm.graph`` commands.

    Args:
        graph: the document the command edits.
        command: the plain command (``do(graph)``/``undo(graph)``).
        done: the command has already been done (the first ``redo`` is then skipped).
        label: the undo-menu text; default from the command.
    """

    def __init__(self, graph: Graph, command: Any, done: bool = True,
                 label: str | None = None) -> None:
        super().__init__(label or command_label(command))
        self.graph = graph
        self.commands = [command]
        self._skip_redo = done
        self._key = merge_key(command)
        self._id = (zlib.crc32(repr(self._key).encode()) & 0x3FFFFFFF) if self._key else -1

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        for command in self.commands:
            command.do(self.graph)

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo(self.graph)

    def id(self) -> int:
        return self._id

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        if not isinstance(other, GraphCommand) or self._key is None or other._key != self._key:
            return False
        self.commands.extend(other.commands)
        return True
