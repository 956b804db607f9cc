"""Edit commands: every change to a document is one of these, so it can be undone.

Each command checks that the edit is possible before touching anything (raising a clear
:class:`~olm.core.errors.OLMError` otherwise: a wire that would make a loop, a second
child in a ``Residual``, an absurd value), remembers the nodes it touches, and after
``do``/``undo`` emits the document's events for exactly what changed. The Studio wraps
each one in a ``QUndoCommand``; scripts and tests use :class:`History`.
"""

from __future__ import annotations

import networkx as nx

from olm.core.errors import OLMError
from olm.graph._command import UNSET, Command, container_node
from olm.graph._node_commands import (
    AddNode,
    MoveNode,
    RemoveNode,
    ReplaceNode,
    Unwrap,
    WrapNodes,
    new_component,
)
from olm.graph._repeat_commands import AddVariant, RemoveVariant
from olm.graph._value_commands import (
    RenameModel,
    SetMerge,
    SetParam,
    SetRepeatCount,
    SetVariable,
)
from olm.graph.document import Graph

__all__ = [
    "UNSET", "Command", "Macro", "History", "AddNode", "RemoveNode", "MoveNode", "SetParam",
    "SetVariable", "ReplaceNode", "WrapNodes", "Unwrap", "SetRepeatCount", "SetMerge",
    "AddWire", "RemoveWire", "RenameModel", "new_component", "AddVariant", "RemoveVariant",
]


class AddWire(Command):
    """Wire ``source`` to ``target`` inside a container; refused if it would make a loop.

    Args:
        container_id (str): the container both children are in.
        source (str): the child whose output feeds ...
        target (str): ... this child.
    """

    text = "connect"

    def __init__(self, container_id: str, source: str, target: str) -> None:
        super().__init__()
        self.container_id, self.source, self.target = container_id, source, target

    def touched(self, graph: Graph) -> set[str]:
        node = container_node(graph, self.container_id)
        if self.source not in node.children or self.target not in node.children:
            raise OLMError(f"both ends of a wire must be parts of this {node.type}")
        if node.type == "Parallel":
            raise OLMError("Parallel branches all read the same input; they are not wired to each other")
        if node.type == "Repeat":
            raise OLMError("a Repeat's parts are layer variants, one per layer; they are not wired to each other")
        if self.source == self.target or nx.has_path(node.wires, self.target, self.source):
            names = f"{graph.nodes[self.source].type} to {graph.nodes[self.target].type}"
            raise OLMError(f"a wire from {names} would make a loop; data must flow one way")
        if node.wires.has_edge(self.source, self.target):
            raise OLMError("these two parts are already wired")
        return {self.container_id}

    def apply(self, graph: Graph) -> None:
        graph.nodes[self.container_id].wires.add_edge(self.source, self.target)


class RemoveWire(Command):
    """Remove the wire from ``source`` to ``target`` in a container.

    Args:
        container_id (str): the container.
        source (str): the feeding child.
        target (str): the fed child.
    """

    text = "disconnect"

    def __init__(self, container_id: str, source: str, target: str) -> None:
        super().__init__()
        self.container_id, self.source, self.target = container_id, source, target

    def touched(self, graph: Graph) -> set[str]:
        if not container_node(graph, self.container_id).wires.has_edge(self.source, self.target):
            raise OLMError("there is no such wire")
        return {self.container_id}

    def apply(self, graph: Graph) -> None:
        graph.nodes[self.container_id].wires.remove_edge(self.source, self.target)


class Macro(Command):
    """Several commands as one undoable edit (all or nothing).

    Args:
        text (str): what the edit is called in the undo menu.
        commands (list[Command]): done in order, undone in reverse.
    """

    def __init__(self, text: str, commands: list[Command]) -> None:
        super().__init__()
        self.text, self.commands = text, list(commands)
        self._done: list[Command] = []

    def do(self, graph: Graph) -> None:
        self._done = []
        try:
            for command in self.commands:
                command.do(graph)
                self._done.append(command)
        except Exception:
            for command in reversed(self._done):
                command.undo(graph)
            self._done = []
            raise

    def undo(self, graph: Graph) -> None:
        for command in reversed(self._done):
            command.undo(graph)
        self._done = []


class History:
    """A plain undo/redo stack for scripts and tests (the Studio uses ``QUndoStack``).

    Args:
        graph (Graph): the document the commands edit.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.done: list[Command] = []
        self.undone: list[Command] = []

    def do(self, command: Command) -> None:
        """Do ``command`` and forget anything that could have been redone."""
        command.do(self.graph)
        self.done.append(command)
        self.undone.clear()

    def undo(self) -> bool:
        """Undo the last command; False when there is none."""
        if not self.done:
            return False
        command = self.done.pop()
        command.undo(self.graph)
        self.undone.append(command)
        return True

    def redo(self) -> bool:
        """Redo the last undone command; False when there is none."""
        if not self.undone:
            return False
        command = self.undone.pop()
        command.do(self.graph)
        self.done.append(command)
        return True
