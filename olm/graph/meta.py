"""Leaf components built on the ``meta`` device, cached by type and resolved parameters.

Validation (does the constructor accept these values?) and statistics (how many
parameters, which are matrices, how wide the key/value heads are) both need a real
instance of each leaf, but never its weights. A meta instance costs microseconds and no
memory; the cache makes a re-validation after an edit touch only the edited node.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from olm.core.errors import ConfigError, OLMError
from olm.graph.catalog import catalog
from olm.graph.document import Graph
from olm.graph.values import resolve, tag_of

if TYPE_CHECKING:
    from torch import nn

__all__ = ["leaf_key", "meta_leaf", "clear_cache"]

_CACHE: dict[str, Any] = {}
_CACHE_LIMIT = 2048


def clear_cache() -> None:
    """Forget every cached meta instance."""
    _CACHE.clear()


def _key_value(graph: Graph, value: Any, env: dict[str, Any], depth: int) -> Any:
    tag = tag_of(value)
    if tag in ("ref", "module"):
        return {tag: leaf_key(graph, value[tag], env, depth + 1)}
    if tag is not None:
        return resolve(value, env)
    if isinstance(value, list):
        return [_key_value(graph, v, env, depth) for v in value]
    if isinstance(value, dict):
        return {k: _key_value(graph, v, env, depth) for k, v in value.items()}
    return value


def leaf_key(graph: Graph, node_id: str, env: dict[str, Any], depth: int = 0) -> str:
    """A string naming the leaf's type and resolved parameters (references by content)."""
    if depth > 16:
        raise ConfigError("references between components nest too deeply (or form a loop)")
    node = graph.node(node_id)
    if node.is_container:
        raise ConfigError(f"{node.type} cannot be passed as a component argument here")
    params = {k: _key_value(graph, v, env, depth) for k, v in sorted(node.params.items())}
    return json.dumps([node.type, params], sort_keys=True, default=repr)


def meta_leaf(graph: Graph, node_id: str, env: dict[str, Any]) -> nn.Module:  # imports torch
    """A meta-device instance of leaf ``node_id``.

    Raises:
        ConfigError: the component refuses these parameters (message names the node).
        OLMError: the type is not in the catalog.
    """
    key = leaf_key(graph, node_id, env)
    cached = _CACHE.get(key)
    if cached is None:
        import torch

        from olm.graph.builder import Builder, instantiate

        if len(_CACHE) > _CACHE_LIMIT:
            _CACHE.clear()
        node = graph.node(node_id)
        try:
            spec = catalog().get(node.type)
            with torch.device("meta"):
                params = Builder(graph, env).params(node_id)
                cached = instantiate(spec.cls, params, node.type)
        except OLMError as err:
            cached = err
        _CACHE[key] = cached
    if isinstance(cached, Exception):
        raise cached
    return cached
