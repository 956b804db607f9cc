"""Commands that change which nodes the document holds and where they sit."""

from __future__ import annotations

from typing import Any, Iterable

from olm.core.errors import OLMError
from olm.graph._command import Command, container_node
from olm.graph._editing import detach_child, insert_child
from olm.graph.catalog import REQUIRED, catalog
from olm.graph.document import CONTAINERS, SINGLE_CHILD, Graph, Node, chain
from olm.graph.values import tag_of
from olm.graph.variables import canonical_name

__all__ = [
    "AddNode", "RemoveNode", "MoveNode", "ReplaceNode", "WrapNodes", "Unwrap", "new_component",
]


class AddNode(Command):
    """Insert a node (with any nodes it holds) into a container, wired into the chain.

    Args:
        parent_id (str): the container.
        node (Node): the new node.
        index (int | None): position in data-flow order; default: at the end.
        extra (Iterable[Node]): nodes the new node holds (children, owned components).
    """

    text = "add"

    def __init__(self, parent_id: str, node: Node, index: int | None = None, extra: Iterable[Node] = ()) -> None:
        super().__init__()
        self.parent_id, self.node, self.index = parent_id, node, index
        self.extra = list(extra)

    def touched(self, graph: Graph) -> set[str]:
        parent = container_node(graph, self.parent_id)
        if parent.type in SINGLE_CHILD and parent.children:
            raise OLMError(f"A {parent.type} holds exactly one part; wrap its content in a Block to add more")
        ids = {self.node.id} | {n.id for n in self.extra}
        clash = ids & set(graph.nodes)
        if clash:
            raise OLMError(f"node id {sorted(clash)[0]!r} is already in the document")
        return ids | {self.parent_id}

    def apply(self, graph: Graph) -> None:
        for node in [self.node, *self.extra]:
            graph.nodes[node.id] = node.copy()
        insert_child(graph, graph.nodes[self.parent_id], self.node.id, self.index)


class RemoveNode(Command):
    """Delete a node and everything it holds; its neighbours are wired together.

    References to the deleted part (a head tied to a deleted embedding) are cleared.

    Args:
        node_id (str): the node to delete (not the root).
    """

    text = "delete"

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id

    def touched(self, graph: Graph) -> set[str]:
        graph.node(self.node_id)
        parent = graph.parent_of(self.node_id)
        if parent is None:
            raise OLMError("the outermost container cannot be deleted")
        self.subtree = set(graph.subtree(self.node_id))
        self.referrers = {
            n.id for n in graph.nodes.values()
            if any(tag_of(v) == "ref" and v["ref"] in self.subtree for v in n.params.values())
        }
        return self.subtree | self.referrers | {parent}

    def apply(self, graph: Graph) -> None:
        parent = graph.nodes[graph.parent_of(self.node_id)]
        if self.node_id in parent.children:
            detach_child(parent, self.node_id)
        else:  # an owned component: drop the parameter holding it
            parent.params = {k: v for k, v in parent.params.items() if v != {"module": self.node_id}}
        for node_id in self.subtree:
            graph.nodes.pop(node_id, None)
        for node_id in self.referrers - self.subtree:
            node = graph.nodes[node_id]
            node.params = {
                k: v for k, v in node.params.items()
                if not (tag_of(v) == "ref" and v["ref"] in self.subtree)
            }


class MoveNode(Command):
    """Move a node into another container (or elsewhere in its own), rewiring both.

    Args:
        node_id (str): the node to move.
        parent_id (str): the destination container.
        index (int | None): position there in data-flow order; default: at the end.
    """

    text = "move"

    def __init__(self, node_id: str, parent_id: str, index: int | None = None) -> None:
        super().__init__()
        self.node_id, self.parent_id, self.index = node_id, parent_id, index

    def touched(self, graph: Graph) -> set[str]:
        graph.node(self.node_id)
        old = graph.parent_of(self.node_id)
        if old is None:
            raise OLMError("the outermost container cannot be moved")
        if self.node_id not in graph.nodes[old].children:
            raise OLMError("a component owned by another one cannot be moved on its own")
        new = container_node(graph, self.parent_id)
        if self.parent_id in graph.subtree(self.node_id):
            raise OLMError(f"a {graph.node(self.node_id).type} cannot be moved inside itself")
        if new.type in SINGLE_CHILD and new.children and new.children != [self.node_id]:
            raise OLMError(f"A {new.type} holds exactly one part; wrap its content in a Block first")
        return {self.node_id, old, self.parent_id}

    def apply(self, graph: Graph) -> None:
        old = graph.nodes[graph.parent_of(self.node_id)]
        detach_child(old, self.node_id)
        insert_child(graph, graph.nodes[self.parent_id], self.node_id, self.index)


def new_component(graph: Graph, type_key: str) -> Node:
    """A fresh node of ``type_key`` whose required parameters use matching variables.

    ``GroupedQueryAttention`` dropped into a model with ``embed_dim``, ``num_heads``,
    ``num_kv_heads`` and ``max_seq_len`` variables gets all four filled in.
    """
    if type_key in CONTAINERS:
        params = {"num_repeat": 2} if type_key == "Repeat" else {}
        return Node(type_key, params)
    spec = catalog().get(type_key)
    params: dict[str, Any] = {}
    for param in spec.params:
        if param.default is REQUIRED:
            var = canonical_name(param.name)
            if var in graph.variables:
                params[param.name] = {"var": var}
    return Node(type_key, params)


class ReplaceNode(Command):
    """Swap a component for another type, keeping its place, wires and shared parameters.

    Parameters of the same name are kept; a parameter naming the same hyperparameter
    differently (``LayerNorm.d_model`` → ``ClassicFFN.embed_dim``) keeps its value too;
    required parameters still missing are bound to matching model variables.

    Args:
        node_id (str): the component to replace.
        new_type (str): the catalog type key of the replacement.
    """

    text = "replace"

    def __init__(self, node_id: str, new_type: str) -> None:
        super().__init__()
        self.node_id, self.new_type = node_id, new_type

    def touched(self, graph: Graph) -> set[str]:
        node = graph.node(self.node_id)
        if node.is_container or self.new_type in CONTAINERS:
            raise OLMError("only components can be replaced; use wrap/unwrap for containers")
        self.spec = catalog().get(self.new_type)
        self.params = self._carry(graph, node)
        dropped = set(node.params) - set(self.params)
        ids = {self.node_id}
        for name in dropped:
            if tag_of(node.params[name]) == "module":
                ids |= set(graph.subtree(node.params[name]["module"]))
        return ids

    def _carry(self, graph: Graph, node: Node) -> dict[str, Any]:
        by_canon = {canonical_name(k) or k: v for k, v in node.params.items()}
        params: dict[str, Any] = {}
        for param in self.spec.params:
            if param.name in node.params:
                params[param.name] = node.params[param.name]
            elif (canonical_name(param.name) or param.name) in by_canon:
                params[param.name] = by_canon[canonical_name(param.name) or param.name]
            elif param.required and canonical_name(param.name) in graph.variables:
                params[param.name] = {"var": canonical_name(param.name)}
        return params

    def apply(self, graph: Graph) -> None:
        node = graph.nodes[self.node_id]
        for name, value in node.params.items():
            if name not in self.params and tag_of(value) == "module":
                for node_id in graph.subtree(value["module"]):
                    graph.nodes.pop(node_id, None)
        node.type = self.new_type
        node.params = self.params


class WrapNodes(Command):
    """Wrap sibling nodes in a new container placed where the first of them was.

    A ``Residual`` or ``Repeat`` around several nodes gets a ``Block`` inside it.

    Args:
        node_ids (list[str]): siblings in one container.
        container_type (str): ``"Block"``, ``"Residual"``, ``"Repeat"`` or ``"Parallel"``.
        count (int | dict): the ``Repeat`` count. Default: 2.
    """

    text = "wrap"

    def __init__(self, node_ids: list[str], container_type: str = "Block", count: Any = 2) -> None:
        super().__init__()
        if container_type not in CONTAINERS:
            raise OLMError(f"{container_type!r} is not a container")
        self.node_ids, self.container_type, self.count = list(node_ids), container_type, count
        self.outer = Node(container_type, {"num_repeat": count} if container_type == "Repeat" else {})
        self.inner = Node("Block") if container_type in SINGLE_CHILD and len(node_ids) > 1 else None

    def touched(self, graph: Graph) -> set[str]:
        if not self.node_ids:
            raise OLMError("select at least one part to wrap")
        parents = {graph.parent_of(i) for i in self.node_ids}
        if len(parents) != 1 or None in parents:
            raise OLMError("only parts side by side in the same container can be wrapped together")
        self.parent_id = parents.pop()
        if any(i not in graph.nodes[self.parent_id].children for i in self.node_ids):
            raise OLMError("a component owned by another one cannot be wrapped on its own")
        ids = {self.parent_id, self.outer.id, *self.node_ids}
        return ids | ({self.inner.id} if self.inner else set())

    def apply(self, graph: Graph) -> None:
        parent = graph.nodes[self.parent_id]
        order = graph.order(self.parent_id)
        chosen = [i for i in order if i in self.node_ids]
        index = order.index(chosen[0])
        for node_id in chosen:
            detach_child(parent, node_id)
        holder = self.inner or self.outer
        outer = self.outer.copy()
        graph.nodes[outer.id] = outer
        if self.inner is not None:
            inner = self.inner.copy()
            graph.nodes[inner.id] = inner
            outer.children, outer.wires = [inner.id], chain([inner.id])
        box = graph.nodes[holder.id]
        box.children = list(chosen)
        box.wires = chain(chosen) if box.type != "Parallel" else chain([])
        box.wires.add_nodes_from(chosen)
        insert_child(graph, parent, outer.id, index)


class Unwrap(Command):
    """Remove a container, putting its children in its place (in data-flow order).

    Args:
        node_id (str): the container (not the root).
    """

    text = "unwrap"

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id

    def touched(self, graph: Graph) -> set[str]:
        node = container_node(graph, self.node_id)
        parent = graph.parent_of(self.node_id)
        if parent is None:
            raise OLMError("the outermost container cannot be unwrapped")
        if graph.nodes[parent].type in SINGLE_CHILD and len(node.children) > 1:
            raise OLMError(f"unwrapping would put {len(node.children)} parts in a {graph.nodes[parent].type}, which holds one")
        return {self.node_id, parent, *node.children}

    def apply(self, graph: Graph) -> None:
        parent = graph.nodes[graph.parent_of(self.node_id)]
        order = graph.order(self.node_id)
        index = graph.order(parent.id).index(self.node_id)
        detach_child(parent, self.node_id)
        graph.nodes.pop(self.node_id)
        for offset, child in enumerate(order):
            insert_child(graph, parent, child, index + offset)
