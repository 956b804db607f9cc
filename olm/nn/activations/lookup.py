"""`get_activation`: the one place a name, class or module becomes an activation module."""

from __future__ import annotations

from typing import Union

from torch import nn

from olm.core.errors import ConfigError
from olm.core.registry import ACTIVATIONS

__all__ = ["ActivationSpec", "get_activation"]

ActivationSpec = Union[str, nn.Module, type]


def get_activation(spec: ActivationSpec, argument: str = "activation_fn") -> nn.Module:
    """Resolve ``spec`` to a fresh (or the given) activation module.

    Components take activations as registry names ("gelu", "gelu_tanh", "relu", ...) so
    models stay describable as data; a module instance or an ``nn.Module`` subclass is
    accepted too.

    Args:
        spec: a registry name (case-insensitive), an ``nn.Module`` instance (returned as is)
            or an ``nn.Module`` subclass (instantiated with no arguments).
        argument: the constructor argument being resolved, named in error messages.

    Raises:
        ConfigError: the name is not registered, or ``spec`` is none of the above.
    """
    if isinstance(spec, str):
        name = spec.strip().lower()
        if name not in ACTIVATIONS:
            raise ConfigError(
                f"{argument} {spec!r} is not a registered activation; "
                f"choose one of {ACTIVATIONS.names()}"
            )
        return ACTIVATIONS.get(name)()
    if isinstance(spec, nn.Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, nn.Module):
        return spec()
    raise ConfigError(
        f"{argument} must be an activation name, an nn.Module or an nn.Module class, got {spec!r}"
    )
