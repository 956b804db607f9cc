"""The builder: turn each node of a document into a real PyTorch module.

:func:`olm.graph.to_module.build` checks a document and calls this; :mod:`olm.graph.meta`
calls it too, to make one leaf on the meta device while validating, which is why the
builder sits below validation (``build → validate → meta → builder``) and never imports it.

Each node compiles to exactly one module: containers to ``Block``/``Pipeline``/
``Residual``/``Repeat``/``Parallel`` over their children in wiring order, leaves to their
catalog class called with their resolved parameters. ``Repeat`` gets one factory per
variant (child) that builds it afresh for every layer, so each layer has its own weights,
as in hand-written code, plus the node's layer ``pattern``.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch
from torch import nn

from olm.core.errors import ConfigError, OLMError
from olm.graph.catalog import catalog
from olm.graph.document import Graph
from olm.graph.repeat import PATTERN
from olm.graph.values import resolve, tag_of
from olm.nn.structure import Block, Parallel, Pipeline, Repeat, Residual

__all__ = ["instantiate", "Builder"]


def instantiate(cls: type, kwargs: dict[str, Any], label: str) -> nn.Module:
    """``cls(**kwargs)``, turning constructor complaints into a :class:`ConfigError`.

    Args:
        cls (type): the component class.
        kwargs (dict): resolved constructor arguments.
        label (str): how to name the node in the message.
    """
    try:
        return cls(**kwargs)
    except OLMError:
        raise
    except (ValueError, TypeError, AssertionError, RuntimeError) as err:
        raise ConfigError(f"{label}: {err}") from None


def _on_meta() -> bool:
    """True when new tensors land on the meta device (``build(graph, device="meta")``)."""
    return torch.empty(0).device.type == "meta"


def _meta_copy(module: nn.Module, shared: Any) -> nn.Module | None:
    """A deep copy of a meta-device module, keeping references to ``shared`` modules.

    On the meta device every copy of a ``Repeat`` would hold no values anyway, so copying
    the first is exactly what building it again gives, several times faster for big
    presets. ``None`` when the module cannot be copied (then it is built again).
    """
    memo = {id(m): m for m in shared}
    try:
        return copy.deepcopy(module, memo)
    except Exception:  # noqa: BLE001 - fall back to building the copy
        return None


class Builder:
    """Builds nodes of one document, remembering what it built so references resolve.

    Args:
        graph (Graph): the document.
        env (dict): evaluated model variables.
        memo (dict | None): modules already built, by node id.
    """

    def __init__(self, graph: Graph, env: dict[str, Any], memo: dict | None = None) -> None:
        self.graph = graph
        self.env = env
        self.memo: dict[str, nn.Module] = {} if memo is None else memo

    def build(self, node_id: str) -> nn.Module:
        """The module of ``node_id`` (built once; later calls return the same module)."""
        if node_id not in self.memo:
            self.memo[node_id] = self._make(node_id)
        return self.memo[node_id]

    def params(self, node_id: str) -> dict[str, Any]:
        """``node_id``'s parameters with variables, references and owned modules resolved."""
        node = self.graph.node(node_id)
        return {k: self._value(v) for k, v in node.params.items()}

    def _value(self, value: Any) -> Any:
        tag = tag_of(value)
        if tag in ("ref", "module"):
            return self.build(value[tag])
        if tag is not None:
            return resolve(value, self.env)
        if isinstance(value, list):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        return value

    def _make(self, node_id: str) -> nn.Module:
        node = self.graph.node(node_id)
        label = f"{node.type} (node {node_id[:8]})"
        if not node.is_container:
            spec = catalog().get(node.type)
            return instantiate(spec.cls, self.params(node_id), label)
        order = self.graph.order(node_id)
        if node.type == "Repeat":
            count = resolve(node.params.get("num_repeat", 1), self.env)
            pattern = node.params.get(PATTERN)
            factories = [self._factory(child) for child in order]
            args: dict[str, Any] = {
                "module_func": factories[0] if len(factories) == 1 else factories,
                "num_repeat": count,
            }
            if pattern is not None:
                args["pattern"] = resolve(pattern, self.env)
            return instantiate(Repeat, args, label)
        children = [self.build(c) for c in order]
        if node.type == "Residual":
            return instantiate(Residual, {"block": children[0]}, label)
        if node.type == "Parallel":
            extra = {k: resolve(v, self.env) for k, v in node.params.items()}
            return instantiate(Parallel, {"blocks": children, **extra}, label)
        cls = Pipeline if node.type == "Pipeline" else Block
        return instantiate(cls, {"blocks": children}, label)


    def _factory(self, child: str) -> Callable[[], nn.Module]:
        """A factory building ``child`` afresh each call (one Repeat variant).

        On the meta device later copies are deep copies of the first (same result, much
        faster for big presets); modules outside the variant stay shared references.
        """
        template = set(self.graph.subtree(child))
        outside = {k: v for k, v in self.memo.items() if k not in template}
        first: list[nn.Module] = []

        def factory() -> nn.Module:
            if first and _on_meta():
                copied = _meta_copy(first[0], outside.values())
                if copied is not None:
                    return copied
            module = Builder(self.graph, self.env, dict(outside)).build(child)
            first.append(module)
            return module

        return factory
