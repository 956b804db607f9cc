"""Which built module is which document node: ``node_modules(graph, model)``.

Telemetry, freezing and anything else that watches a built model in terms of the
document needs the mapping ``node id -> module(s)``. :func:`olm.graph.build` compiles
each node to exactly one module per layer, in the children's wiring order, so the mapping
is recovered by walking the document and the module tree side by side (no attribute is
set on any module, and a model loaded from a checkpoint maps the same way). Nodes inside
a ``Repeat`` map to one module per layer; a layer that a pattern gives another variant
has ``None`` at its index, so index ``i`` is always layer ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from torch import nn

from olm.graph.document import Graph
from olm.graph.values import tag_of

__all__ = ["NodeModules", "node_modules"]


@dataclass
class NodeModules:
    """The module(s) one node compiled to.

    Args:
        node_id (str): the node's id in the document.
        type (str): the node's type key (``"RMSNorm"``, ``"Repeat"``...).
        modules (list): one module, or, inside a ``Repeat``, one per layer (``None`` where
            that layer is another variant).
        layered (bool): True when the node sits inside a ``Repeat`` (values are lists).
    """

    node_id: str
    type: str
    modules: list[nn.Module | None] = field(default_factory=list)
    layered: bool = False


def _children(module: nn.Module) -> list[nn.Module]:
    blocks = getattr(module, "blocks", None)
    if isinstance(blocks, nn.ModuleList):
        return list(blocks)
    block = getattr(module, "block", None)
    return [block] if isinstance(block, nn.Module) else []


def node_modules(graph: Graph, model: nn.Module) -> dict[str, NodeModules]:
    """Every node of ``graph`` with the module(s) of ``model`` it became.

    Args:
        graph (Graph): the document ``model`` was built from (or saved with).
        model (nn.Module): the built model (unwrapped: not DDP or compiled).

    Returns:
        dict: node id -> :class:`NodeModules`, in document order (root first).
    """
    out: dict[str, NodeModules] = {}

    def add(node_id: str, module: nn.Module, layer: int | None, layers: int | None) -> None:
        node = graph.node(node_id)
        entry = out.get(node_id)
        if entry is None:
            entry = out[node_id] = NodeModules(node_id, node.type, layered=layers is not None)
            entry.modules = [None] * layers if layers is not None else [None]
        entry.modules[layer if layer is not None else 0] = module
        walk(node_id, module, layer, layers)

    def walk(node_id: str, module: nn.Module, layer: int | None, layers: int | None) -> None:
        node = graph.node(node_id)
        if not node.is_container:
            for name, value in node.params.items():  # owned modules: OutputHead(norm=...)
                if tag_of(value) == "module":
                    sub = getattr(module, name, None)
                    if isinstance(sub, nn.Module) and value["module"] in graph.nodes:
                        add(value["module"], sub, layer, layers)
            return
        order = graph.order(node_id)
        if node.type == "Repeat":
            variants: list[Any] = list(getattr(module, "layer_variants", []))
            stack = list(getattr(module, "stack", []))
            # nested Repeats keep the outer layer index (the depth the strip shows)
            count = layers if layers is not None else len(stack)
            for i, (v, sub) in enumerate(zip(variants, stack)):
                if v < len(order):
                    add(order[v], sub, layer if layers is not None else i, count)
            return
        for child, sub in zip(order, _children(module)):
            add(child, sub, layer, layers)

    add(graph.root, model, None, None)
    return out
