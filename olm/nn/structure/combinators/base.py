"""Shared plumbing for containers: forward keyword arguments only where they are wanted."""

from __future__ import annotations

import inspect
from typing import Any

from torch import Tensor, nn

from olm.core.capture import Component

__all__ = ["BaseCombinator", "_forward_module", "accepted_kwargs"]

_ACCEPTS: dict[type, tuple[bool, frozenset[str]]] = {}


def accepted_kwargs(module: nn.Module) -> tuple[bool, frozenset[str]]:
    """(accepts **kwargs, names of keyword parameters) of ``module.forward``, cached per class."""
    cls = type(module)
    cached = _ACCEPTS.get(cls)
    if cached is None:
        params = inspect.signature(cls.forward).parameters.values()
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        names = frozenset(
            p.name
            for p in params
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        )
        cached = (var_kw, names)
        _ACCEPTS[cls] = cached
    return cached


def _forward_module(module: nn.Module, x: Tensor, **kwargs: Any) -> Tensor:
    """Call ``module(x, **kw)`` passing only the keyword arguments its forward declares.

    This lets a container carry ``mask=`` or ``kv_cache=`` down to the attention layers
    while norms and feed-forwards, which take none, are called as ``module(x)``.
    """
    if not kwargs:
        return module(x)
    var_kw, names = accepted_kwargs(module)
    if var_kw:
        return module(x, **kwargs)
    wanted = {k: v for k, v in kwargs.items() if k in names}
    return module(x, **wanted)


class BaseCombinator(Component):
    """Abstract container: combines child modules into one ``forward(x, **kwargs)``."""

    family = None

    def forward(self, x: Tensor, **kwargs: Any) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError
