"""The architecture document: component nodes in nestable containers, plus variables.

Plain dataclasses, no Qt and no torch: a :class:`Graph` holds every :class:`Node` in a flat
``nodes`` dict keyed by a stable uuid4 hex id, and ``root``, the id of the outermost
container. A node has a type key (the component class name), ``params`` (see
:mod:`olm.graph.values` for references to variables and other nodes), and, for the
containers ``Block``/``Pipeline``/``Residual``/``Repeat``/``Parallel``, ordered
``children`` plus ``wires``: a networkx ``DiGraph`` over the child ids that says which
child feeds which. The normal case is a chain in children order; a ``Parallel``'s branches
and a ``Repeat``'s layer variants (one child per variant, chosen per layer by its
``pattern``, see :mod:`olm.graph.repeat`) carry no wires.

View state (canvas positions, collapsed flags) lives in ``layout``, kept apart from the
model data: document equality ignores it, as it ignores node ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

import networkx as nx

from olm.core.errors import OLMError
from olm.graph.events import GraphEvents
from olm.graph.values import ExprError, is_tag, resolve, tag_of

__all__ = [
    "CONTAINERS",
    "SINGLE_CHILD",
    "UNWIRED",
    "Graph",
    "Node",
    "chain",
    "new_id",
]

# Containers and what they hold: Residual wraps exactly one child; a Repeat holds one
# child per layer variant (usually one), which edits do not add by dropping (see
# olm/graph/repeat.py), so it counts as single-child for insertion.
CONTAINERS = ("Block", "Pipeline", "Residual", "Repeat", "Parallel")
SINGLE_CHILD = ("Residual", "Repeat")
# Containers whose children sit side by side (no wires between them).
UNWIRED = ("Parallel", "Repeat")


def new_id() -> str:
    """A fresh stable node id (uuid4 hex; never ``id()``, which is reused)."""
    return uuid.uuid4().hex


def chain(ids: list[str]) -> nx.DiGraph:
    """The wiring of children run one after another, in the given order."""
    wires = nx.DiGraph()
    wires.add_nodes_from(ids)
    wires.add_edges_from(zip(ids, ids[1:]))
    return wires


@dataclass(eq=False)
class Node:
    """One component or container of the document.

    Args:
        type (str): the component class name, e.g. ``"RMSNorm"`` or ``"Repeat"``.
        params (dict): constructor arguments by name; values are literals or tags
            (``{"var": ...}``, ``{"expr": ...}``, ``{"ref": id}``, ``{"module": id}``).
        children (list[str]): child ids, for containers.
        wires (nx.DiGraph | None): which child feeds which (containers only).
        id (str): stable uuid4 hex id.
        version (int): the node schema version, for future migrations.
    """

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    wires: nx.DiGraph | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        if self.is_container and self.wires is None:
            self.wires = chain([] if self.type in UNWIRED else self.children)
            self.wires.add_nodes_from(self.children)

    @property
    def is_container(self) -> bool:
        """True for ``Block``, ``Pipeline``, ``Residual``, ``Repeat`` and ``Parallel``."""
        return self.type in CONTAINERS

    def module_params(self) -> dict[str, str]:
        """Parameters holding an owned component: name → node id."""
        return {k: v["module"] for k, v in self.params.items() if tag_of(v) == "module"}

    def copy(self) -> Node:
        """A copy with the same id (params and children copied, wires copied)."""
        return Node(
            type=self.type,
            params=_copy_value(self.params),
            children=list(self.children),
            wires=None if self.wires is None else self.wires.copy(),
            id=self.id,
            version=self.version,
        )


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_value(v) for v in value]
    return value


@dataclass(eq=False)
class Graph:
    """A model as data: nodes, the root container's id, and model variables.

    Args:
        nodes (dict[str, Node]): every node by id (children and owned components too).
        root (str): id of the outermost container.
        variables (dict[str, Any]): model variables in definition order; a value is a
            number/bool/str or ``{"expr": "..."}`` over earlier variables.
        name (str): the model's name (used in printed Python and the CLI).
        layout (dict[str, dict]): view state by node id (positions, collapsed flags);
            ignored by equality.
    """

    nodes: dict[str, Node]
    root: str
    variables: dict[str, Any] = field(default_factory=dict)
    name: str = "model"
    layout: dict[str, dict] = field(default_factory=dict)
    events: GraphEvents = field(default_factory=GraphEvents, repr=False)

    @classmethod
    def new(cls, name: str = "model", variables: dict[str, Any] | None = None) -> Graph:
        """An empty document: one root ``Block`` with no children."""
        root = Node("Block")
        return cls({root.id: root}, root.id, dict(variables or {}), name)

    # -- lookup -------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        """The node with ``node_id``; a clear :class:`OLMError` if there is none."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise OLMError(f"the document has no node with id {node_id!r}") from None

    def owners(self) -> dict[str, str]:
        """Child id → owning node id, for container children and owned components."""
        owners: dict[str, str] = {}
        for node in self.nodes.values():
            for child in node.children:
                owners[child] = node.id
            for child in node.module_params().values():
                owners[child] = node.id
        return owners

    def parent_of(self, node_id: str) -> str | None:
        """The container (or owning component) of ``node_id``; ``None`` for the root."""
        return self.owners().get(node_id)

    def walk(self, start: str | None = None) -> Iterator[str]:
        """Ids in tree order (a node, its owned components, then its children)."""
        stack = [self.root if start is None else start]
        seen: set[str] = set()
        while stack:
            node_id = stack.pop()
            if node_id in seen or node_id not in self.nodes:
                continue
            seen.add(node_id)
            yield node_id
            node = self.nodes[node_id]
            stack.extend(reversed(list(node.module_params().values()) + node.children))

    def subtree(self, node_id: str) -> list[str]:
        """``node_id`` and everything it holds."""
        return list(self.walk(node_id))

    def order(self, container_id: str) -> list[str]:
        """A container's children in the order data flows through them.

        For a well-wired chain this is the wires' topological order; when the wiring is
        broken (validate reports how) it falls back to the children order.
        """
        node = self.node(container_id)
        wires = node.wires
        if wires is None or node.type in UNWIRED or wires.number_of_edges() == 0:
            return list(node.children)
        try:
            ordered = list(nx.topological_sort(wires))
        except nx.NetworkXUnfeasible:
            return list(node.children)
        return ordered if set(ordered) == set(node.children) else list(node.children)

    def variable_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Evaluate the variables in order: (values, errors by variable name)."""
        env: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, value in self.variables.items():
            try:
                env[name] = resolve(value, env)
            except ExprError as err:
                errors[name] = str(err)
        return env, errors

    # -- serialisation --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able model data (no layout, no events)."""
        nodes = {}
        for node_id in self.walk():
            node = self.nodes[node_id]
            entry: dict[str, Any] = {"type": node.type, "params": _copy_value(node.params)}
            if node.version != 1:
                entry["version"] = node.version
            if node.is_container:
                entry["children"] = list(node.children)
                entry["wires"] = [list(edge) for edge in node.wires.edges]
            nodes[node_id] = entry
        return {
            "name": self.name,
            "variables": _copy_value(self.variables),
            "root": self.root,
            "nodes": nodes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], layout: dict[str, dict] | None = None) -> Graph:
        """Rebuild a graph from :meth:`to_dict` output (already schema-checked)."""
        nodes = {}
        for node_id, entry in data["nodes"].items():
            node = Node(
                type=entry["type"],
                params=_copy_value(entry.get("params", {})),
                children=list(entry.get("children", [])),
                id=node_id,
                version=entry.get("version", 1),
            )
            if node.is_container:
                wires = nx.DiGraph()
                wires.add_nodes_from(node.children)
                wires.add_edges_from(tuple(e) for e in entry.get("wires", []))
                node.wires = wires
            nodes[node_id] = node
        return cls(
            nodes,
            data["root"],
            _copy_value(data.get("variables", {})),
            data.get("name", "model"),
            dict(layout or {}),
        )

    def copy(self) -> Graph:
        """A deep copy with the same ids (events are not copied)."""
        return Graph(
            {k: n.copy() for k, n in self.nodes.items()},
            self.root,
            _copy_value(self.variables),
            self.name,
            _copy_value(self.layout),
        )

    # -- equality ------------------------------------------------------------------------

    def canonical(self) -> dict[str, Any]:
        """The document with ids replaced by tree positions: what equality compares."""
        paths = {node_id: path for node_id, path in _paths(self, self.root, ())}
        return {
            "variables": _copy_value(self.variables),
            "root": _canonical_node(self, self.root, paths),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return self.canonical() == other.canonical()

    __hash__ = None  # type: ignore[assignment]


def _paths(graph: Graph, node_id: str, path: tuple) -> Iterator[tuple[str, tuple]]:
    yield node_id, path
    node = graph.nodes.get(node_id)
    if node is None:
        return
    for name, child in node.module_params().items():
        yield from _paths(graph, child, path + (name,))
    for i, child in enumerate(node.children):
        yield from _paths(graph, child, path + (i,))


def _canonical_value(value: Any, graph: Graph, paths: dict[str, tuple]) -> Any:
    tag = tag_of(value)
    if tag == "ref":
        return {"ref": paths.get(value["ref"], ("missing", value["ref"]))}
    if tag == "module":
        return {"module": _canonical_node(graph, value["module"], paths)}
    if is_tag(value):
        return value
    if isinstance(value, tuple):
        return list(value)
    return value


def _canonical_node(graph: Graph, node_id: str, paths: dict[str, tuple]) -> Any:
    node = graph.nodes.get(node_id)
    if node is None:
        return ("missing", node_id)
    out: dict[str, Any] = {
        "type": node.type,
        "params": {k: _canonical_value(v, graph, paths) for k, v in node.params.items()},
    }
    if node.is_container:
        index = {c: i for i, c in enumerate(node.children)}
        out["children"] = [_canonical_node(graph, c, paths) for c in node.children]
        out["wires"] = sorted((index.get(a, -1), index.get(b, -1)) for a, b in node.wires.edges)
    return out
