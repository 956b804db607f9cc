"""``from_module``: describe a built `olm` model as a document.

Containers are read structurally (``Block.blocks``, ``Residual.block``, the first layer of
each variant of ``Repeat.stack``, ``Parallel.blocks``); reference models (``family = "model"``) are
Blocks and are read the same way. Every other component is a leaf whose parameters are the
constructor arguments it recorded (:func:`olm.core.init_args`). A component passed as an
argument becomes either a reference to the node already in the document
(``OutputHead(tied_embedding=embedding)``) or a component owned by the node
(``OutputHead(norm=RMSNorm(...))``).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from olm.core.capture import Component, init_args
from olm.core.errors import OLMError
from olm.graph.document import Graph, Node, chain
from olm.graph.values import is_tag
from olm.graph.variables import extract_variables
from olm.nn.structure import Block, Parallel, Pipeline, Repeat, Residual

__all__ = ["from_module"]

# init_args of containers hold children, which are read structurally instead.
_STRUCTURAL_ARGS = {"blocks", "block", "module_func"}


class _Reader:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.seen: dict[int, str] = {}  # id(module) -> node id, only while reading

    def read(self, module: nn.Module, path: str) -> str:
        if id(module) in self.seen:
            raise OLMError(
                f"{path}: the same {type(module).__name__} is used twice in the model; "
                "a document can only describe each component once (tie weights with "
                "tied_embedding instead)"
            )
        node = self._node(module, path)
        self.seen[id(module)] = node.id
        self.nodes[node.id] = node
        return node.id

    def _node(self, module: nn.Module, path: str) -> Node:
        if isinstance(module, Repeat):
            firsts = [module.first_of_variant(v) for v in range(module.num_variants)]
            children = [self.read(module.stack[i], f"{path}.stack.{i}") for i in firsts]
            params: dict[str, Any] = {"num_repeat": module.num_repeat}
            if module.pattern is not None:
                params["pattern"] = list(module.pattern)
            return Node("Repeat", params, children)
        if isinstance(module, Residual):
            return Node("Residual", {}, [self.read(module.block, f"{path}.block")])
        if isinstance(module, Parallel):
            if module.merge_name is None:
                raise OLMError(
                    f"{path}: Parallel with a custom merge function cannot be described; "
                    "use merge='sum', 'mean' or 'concat'"
                )
            children = [self.read(b, f"{path}.blocks.{i}") for i, b in enumerate(module.blocks)]
            params = {k: v for k, v in init_args(module).items() if k not in _STRUCTURAL_ARGS}
            node = Node("Parallel", params, children)
            node.wires = chain([])
            node.wires.add_nodes_from(children)
            return node
        if isinstance(module, Block):
            children = [self.read(b, f"{path}.blocks.{i}") for i, b in enumerate(module.blocks)]
            kind = "Pipeline" if type(module) is Pipeline else "Block"
            return Node(kind, {}, children)
        if not isinstance(module, Component) or getattr(module, "family", None) is None:
            raise OLMError(
                f"{path}: {type(module).__module__}.{type(module).__name__} is not an olm "
                "component, so the document cannot describe it"
            )
        node = Node(type(module).__name__)
        for name, value in init_args(module).items():
            node.params[name] = self._param(value, f"{path}({name}=)")
        return node

    def _param(self, value: Any, path: str) -> Any:
        if isinstance(value, nn.Module):
            if id(value) in self.seen:
                return {"ref": self.seen[id(value)]}
            return {"module": self.read(value, path)}
        if isinstance(value, tuple):
            return [self._param(v, path) for v in value]
        if isinstance(value, list):
            return [self._param(v, path) for v in value]
        if isinstance(value, dict):
            out = {k: self._param(v, path) for k, v in value.items()}
            return {"literal": out} if is_tag(out) else out
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise OLMError(
            f"{path}: a {type(value).__name__} argument cannot be described as data; "
            "pass a number, text, or a registry name instead"
        )


def from_module(module: nn.Module, name: str | None = None) -> Graph:
    """Describe ``module`` (a ``Block`` tree of `olm` components) as a :class:`Graph`.

    Repeated hyperparameters become model variables (``embed_dim``, ``num_heads``, ...).
    Works on the ``meta`` device: no tensor is read.

    Args:
        module (nn.Module): the model, e.g. ``olm.models.Llama3_1_8B()``.
        name (str | None): the document's name; default: the module's class name.

    Raises:
        OLMError: a part of the model is not an `olm` component or cannot be described.
    """
    reader = _Reader()
    if isinstance(module, Block) or isinstance(module, (Residual, Repeat, Parallel)):
        root = reader.read(module, type(module).__name__)
    else:
        root_child = reader.read(module, type(module).__name__)
        wrapper = Node("Block", {}, [root_child])
        reader.nodes[wrapper.id] = wrapper
        root = wrapper.id
    graph = Graph(reader.nodes, root, {}, name or type(module).__name__)
    extract_variables(graph)
    return graph
