"""Gestures as document edits: every change the UI makes goes through here.

Each method builds ``olm.graph.commands`` objects and runs them through the controller,
so each is one undoable step. An impossible edit (a wire making a loop, a second child
in a Residual) is refused by the command with a message, which is reported to the user
and changes nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from olm.core.errors import OLMError
from olm.graph.catalog import catalog
from olm.graph.commands import (
    AddNode,
    AddVariant,
    AddWire,
    Command,
    Macro,
    MoveNode,
    RemoveNode,
    RemoveVariant,
    RemoveWire,
    RenameModel,
    ReplaceNode,
    SetMerge,
    SetParam,
    SetRepeatCount,
    SetVariable,
    Unwrap,
    WrapNodes,
    new_component,
)
from olm.graph.document import Graph
from olm.graph.fragments import fragment_nodes
from olm.graph.suggest import derive_missing
from olm_studio.controller import DocumentController

__all__ = ["Edits"]


class Edits:
    """Turns UI gestures into undoable commands on the controller's document.

    Args:
        controller: the document controller.
        report: shows a message in the status line: why an edit was refused, or what a
            bulk edit did ("Replaced 3 LayerNorm parts with RMSNorm; filled ...").
    """

    def __init__(self, controller: DocumentController, report: Callable[[str], None]) -> None:
        self.c = controller
        self.report = report

    @property
    def graph(self) -> Graph:
        """The open document."""
        return self.c.graph

    def run(self, command: Command, label: str | None = None) -> bool:
        """Do ``command`` as one undo step; False (and a message) if it was refused."""
        try:
            self.c.run(command, label)
        except OLMError as err:
            self.report(str(err))
            return False
        return True

    # -- nodes ------------------------------------------------------------------------------
    def add_component(self, type_key: str, container_id: str | None = None,
                      index: int | None = None) -> str | None:
        """Add a new ``type_key`` node; returns its id (None if refused)."""
        try:
            node = new_component(self.graph, type_key)
        except OLMError as err:
            self.report(str(err))
            return None
        parent = container_id or self.graph.root
        if self.run(AddNode(parent, node, index), f"add {type_key}"):
            self.c.select([node.id])
            return node.id
        return None

    def delete(self, ids: list[str]) -> bool:
        """Delete nodes (descendants of other selected nodes are covered by them)."""
        graph = self.graph
        chosen = [i for i in ids if i in graph.nodes and i != graph.root]
        owners = graph.owners()

        def covered(node_id: str) -> bool:
            up = owners.get(node_id)
            while up is not None:
                if up in chosen:
                    return True
                up = owners.get(up)
            return False

        roots = [i for i in chosen if not covered(i)]
        if not roots:
            return False
        commands = [RemoveNode(i) for i in roots]
        label = f"delete {graph.nodes[roots[0]].type}" if len(roots) == 1 else \
            f"delete {len(roots)} parts"
        return self.run(commands[0] if len(commands) == 1 else Macro(label, commands), label)

    def move(self, node_id: str, container_id: str, index: int | None) -> bool:
        """Move a node into ``container_id`` at ``index`` (rewiring both containers)."""
        return self.run(MoveNode(node_id, container_id, index),
                        f"move {self.graph.nodes[node_id].type}")

    def replace(self, node_id: str, new_type: str) -> bool:
        """Swap a component for another of the same role, keeping shared parameters."""
        return bool(self.replace_many([node_id], new_type))

    def can_become(self, node_id: str, new_type: str) -> bool:
        """True if ``node_id`` is a component of another type than ``new_type``."""
        node = self.graph.nodes.get(node_id)
        return node is not None and not node.is_container and new_type in catalog() \
            and node.type != new_type

    def replace_many(self, ids: list[str], new_type: str) -> list[str]:
        """Replace every one of ``ids`` that can become ``new_type``, as one undo step.

        Required values the new type needs and the old part lacked are derived where
        they can be (see :mod:`olm.graph.suggest`). The status line says how many parts
        were replaced and what was filled. Returns the replaced ids (empty: refused).
        """
        graph = self.graph
        targets = [i for i in dict.fromkeys(ids) if self.can_become(i, new_type)]
        if not targets:
            return []
        old_types = sorted({graph.nodes[i].type for i in targets})
        commands: list[Command] = []
        filled: list[str] = []
        env = self.c.figures.env
        spec = catalog().get(new_type)
        for node_id in targets:
            replace = ReplaceNode(node_id, new_type)
            try:
                replace.touched(graph)  # works out the carried parameters, changes nothing
            except OLMError as err:
                self.report(str(err))
                return []
            commands.append(replace)
            for name, value, why in derive_missing(spec, replace.params, env):
                commands.append(SetParam(node_id, name, value))
                if why not in filled:
                    filled.append(why)
        old = " and ".join(old_types)
        label = f"replace {old} with {new_type}" if len(targets) == 1 else \
            f"replace {len(targets)} {old} with {new_type}"
        command = commands[0] if len(commands) == 1 else Macro(label, commands)
        if not self.run(command, label):
            return []
        parts = "part" if len(targets) == 1 else "parts"
        message = f"Replaced {len(targets)} {old} {parts} with {new_type}"
        if filled:
            message += "; filled " + "; ".join(filled)
        self.report(message)
        return targets

    def replace_all(self, old_type: str, new_type: str) -> list[str]:
        """Replace every ``old_type`` component of the model with ``new_type`` (one step)."""
        graph = self.graph
        return self.replace_many([i for i in graph.walk() if graph.nodes[i].type == old_type],
                                 new_type)

    def wrap(self, ids: list[str], container_type: str, count: Any = 2) -> bool:
        """Wrap sibling nodes in a new container."""
        try:
            command = WrapNodes(ids, container_type, count)
        except OLMError as err:
            self.report(str(err))
            return False
        return self.run(command, f"wrap in {container_type}")

    def unwrap(self, node_id: str) -> bool:
        """Remove a container, keeping its children in its place."""
        return self.run(Unwrap(node_id), f"unwrap {self.graph.nodes[node_id].type}")

    def paste(self, text: str, container_id: str, index: int | None) -> list[str]:
        """Insert a copied fragment; returns the new root ids."""
        try:
            pieces = fragment_nodes(text)
        except OLMError as err:
            self.report(f"Cannot paste: {err}")
            return []
        commands = []
        for offset, (root, inner) in enumerate(pieces):
            at = None if index is None else index + offset
            commands.append(AddNode(container_id, root, at, inner))
        if not commands:
            return []
        label = "paste" if len(commands) > 1 else f"paste {pieces[0][0].type}"
        if self.run(commands[0] if len(commands) == 1 else Macro(label, commands), label):
            ids = [root.id for root, _ in pieces]
            self.c.select(ids)
            return ids
        return []

    # -- values -----------------------------------------------------------------------------
    def set_param(self, node_id: str, name: str, value: Any) -> bool:
        """Set one parameter (literal, ``{"var": ...}``, ``{"expr": ...}`` or UNSET)."""
        return self.run(SetParam(node_id, name, value))

    def set_param_many(self, ids: list[str], name: str, value: Any) -> bool:
        """Set one parameter on several nodes (a multi-selection) as one undo step."""
        ids = [i for i in dict.fromkeys(ids) if i in self.graph.nodes]
        if len(ids) == 1:
            return self.set_param(ids[0], name, value)
        if not ids:
            return False
        return self.run(Macro(f"set {name} on {len(ids)} parts",
                              [SetParam(i, name, value) for i in ids]))
    def add_variant(self, repeat_id: str, source_id: str | None = None) -> bool:
        """Give a Repeat another layer variant (a copy of ``source_id``) to edit apart."""
        return self.run(AddVariant(repeat_id, source_id), "add layer variant")

    def remove_variant(self, repeat_id: str, variant_id: str) -> bool:
        """Remove one layer variant of a Repeat; its layers use the first remaining one."""
        return self.run(RemoveVariant(repeat_id, variant_id), "remove layer variant")

    def set_repeat_count(self, node_id: str, count: Any) -> bool:
        """Set a Repeat's count (a number or a variable reference)."""
        return self.run(SetRepeatCount(node_id, count), "set repeat count")

    def set_merge(self, node_id: str, merge: str) -> bool:
        """Set a Parallel's merge ("sum", "mean", "concat")."""
        try:
            command = SetMerge(node_id, merge)
        except OLMError as err:
            self.report(str(err))
            return False
        return self.run(command, f"merge by {merge}")

    def set_variable(self, name: str, value: Any) -> bool:
        """Create, change or (UNSET) delete a model variable."""
        return self.run(SetVariable(name, value))

    def rename_model(self, name: str) -> bool:
        """Rename the model."""
        return self.run(RenameModel(name), "rename model")

    # -- wires ------------------------------------------------------------------------------
    def connect(self, container_id: str, source: str, target: str) -> bool:
        """Wire ``source`` → ``target``; refused (with the reason) if it makes a loop."""
        return self.run(AddWire(container_id, source, target))

    def disconnect(self, container_id: str, source: str, target: str) -> bool:
        """Remove the wire ``source`` → ``target``."""
        return self.run(RemoveWire(container_id, source, target))
