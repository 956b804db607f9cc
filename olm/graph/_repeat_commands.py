"""Commands that make a stack heterogeneous or uniform again: add or remove a layer variant.

A ``Repeat`` holds one child per layer variant and a ``pattern`` saying which layer uses
which (see :mod:`olm.graph.repeat`). Dropping a part onto a Repeat never adds a variant
by accident; these commands do it on purpose, keeping the pattern consistent.
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import ConfigError, OLMError
from olm.graph._command import Command
from olm.graph.document import Graph, Node
from olm.graph.fragments import copy_fragment, fragment_nodes
from olm.graph.repeat import PATTERN, layer_variants

__all__ = ["AddVariant", "RemoveVariant"]


def _repeat(graph: Graph, node_id: str) -> Node:
    node = graph.node(node_id)
    if node.type != "Repeat":
        raise OLMError(f"{node.type} is not a Repeat; only a Repeat has layer variants")
    return node


class AddVariant(Command):
    """Add a layer variant to a ``Repeat``: a copy of one of its variants, to edit apart.

    Args:
        repeat_id (str): the Repeat.
        source_id (str | None): the variant to copy; default: the last one.
        pattern (list[int] | None): the new pattern; default: the current cycle followed
            by the new variant (a uniform stack becomes ``[0, 1]``: alternating).
    """

    text = "add layer variant"

    def __init__(self, repeat_id: str, source_id: str | None = None,
                 pattern: list[int] | None = None) -> None:
        super().__init__()
        self.repeat_id, self.source_id, self.pattern = repeat_id, source_id, pattern
        self.new: list[Node] = []

    def touched(self, graph: Graph) -> set[str]:
        node = _repeat(graph, self.repeat_id)
        source = self.source_id or (node.children[-1] if node.children else None)
        if source is None or source not in node.children:
            raise OLMError("the variant to copy must be a part of this Repeat")
        env, _ = graph.variable_values()
        if self.pattern is None:
            current = node.params.get(PATTERN, list(range(len(node.children))))
            if not isinstance(current, list):
                raise OLMError("this Repeat's pattern is not a list; set it before adding variants")
            self.pattern = list(current) + [len(node.children)]
        trial = Node("Repeat", {**node.params, PATTERN: self.pattern},
                     node.children + ["new"])
        try:
            layer_variants(trial, env)
        except (ConfigError, TypeError) as err:
            raise OLMError(str(err)) from None
        if not self.new:
            root, inner = fragment_nodes(copy_fragment(graph, [source]))[0]
            self.new = [root, *inner]
        return {self.repeat_id} | {n.id for n in self.new}

    def apply(self, graph: Graph) -> None:
        for node in self.new:
            graph.nodes[node.id] = node.copy()
        repeat = graph.nodes[self.repeat_id]
        repeat.children.append(self.new[0].id)
        repeat.wires.add_node(self.new[0].id)
        repeat.params[PATTERN] = list(self.pattern)

    @property
    def variant_id(self) -> str | None:
        """The id of the added variant (after ``do``)."""
        return self.new[0].id if self.new else None


class RemoveVariant(Command):
    """Remove a layer variant; the layers that used it use the first remaining variant.

    Args:
        repeat_id (str): the Repeat.
        variant_id (str): the variant (child) to remove; the Repeat keeps at least one.
    """

    text = "remove layer variant"

    def __init__(self, repeat_id: str, variant_id: str) -> None:
        super().__init__()
        self.repeat_id, self.variant_id = repeat_id, variant_id

    def touched(self, graph: Graph) -> set[str]:
        node = _repeat(graph, self.repeat_id)
        if self.variant_id not in node.children:
            raise OLMError("that part is not a variant of this Repeat")
        if len(node.children) < 2:
            raise OLMError("a Repeat keeps at least one variant; delete the Repeat instead")
        self.subtree = set(graph.subtree(self.variant_id))
        return {self.repeat_id} | self.subtree

    def apply(self, graph: Graph) -> None:
        repeat = graph.nodes[self.repeat_id]
        index = repeat.children.index(self.variant_id)
        repeat.children.remove(self.variant_id)
        repeat.wires.remove_node(self.variant_id)
        for node_id in self.subtree:
            graph.nodes.pop(node_id, None)
        keep = 1 if index == 0 else 0  # the first variant that stays
        pattern: Any = repeat.params.get(PATTERN, list(range(len(repeat.children) + 1)))
        if isinstance(pattern, list):
            pattern = [keep if p == index else p for p in pattern]
            pattern = [p - 1 if p > index else p for p in pattern]
            if len(repeat.children) == 1:
                repeat.params.pop(PATTERN, None)
            else:
                repeat.params[PATTERN] = _shortest_cycle(pattern)


def _shortest_cycle(pattern: list[int]) -> list[int]:
    """``[0, 1, 0, 1]`` → ``[0, 1]``: the same layers, stated once."""
    n = len(pattern)
    for p in range(1, n + 1):
        if n % p == 0 and pattern == pattern[:p] * (n // p):
            return pattern[:p]
    return pattern
