"""Remembering how every component was constructed.

Every `olm` module derives from :class:`Component`. When a component is created, the
arguments its constructor was called with are recorded (once, by the most-derived
class), so that any model can later be described as data (``olm.graph``) and printed
back as Python. The mechanism is uniform: subclasses write an ordinary ``__init__``
and get the recording for free through ``__init_subclass__``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, ClassVar

from torch import nn

from olm.core.limits import check_component_args

__all__ = ["Component", "init_args", "init_signature"]

_ARGS_ATTR = "_olm_init_args"


def _wrap_init(cls: type) -> None:
    original = cls.__dict__["__init__"]
    signature = inspect.signature(original)

    @functools.wraps(original)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Only the outermost constructor records: a subclass calling super().__init__
        # must not overwrite the arguments the user actually gave.
        outermost = _ARGS_ATTR not in self.__dict__
        if outermost:
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError as err:
                raise TypeError(f"{cls.__name__}: {err}") from None
            recorded: dict[str, Any] = {}
            for name, value in list(bound.arguments.items())[1:]:
                kind = signature.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    recorded.update(value)
                elif kind is inspect.Parameter.VAR_POSITIONAL:
                    recorded[name] = tuple(value)
                else:
                    recorded[name] = value
            # Sizes are checked before the constructor can allocate or loop on them.
            check_component_args(cls.__name__, recorded)
            object.__setattr__(self, _ARGS_ATTR, recorded)
        original(self, *args, **kwargs)

    cls.__init__ = __init__


class Component(nn.Module):
    """Base of every `olm` module: a plain ``nn.Module`` that remembers its arguments.

    Attributes:
        family (str | None): the palette family a concrete component belongs to
            ("embedding", "attention", "norm", "feedforward", "moe", "head",
            "activation", "structure", "model"); ``None`` for abstract bases.
    """

    family: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            _wrap_init(cls)


def init_args(module: nn.Module) -> dict[str, Any]:
    """The constructor arguments ``module`` was explicitly given (defaults omitted).

    Returns an empty dict for modules that are not :class:`Component` instances.
    """
    return dict(module.__dict__.get(_ARGS_ATTR, {}))


def init_signature(cls: type) -> inspect.Signature:
    """The constructor signature of a component class, without ``self``."""
    sig = inspect.signature(cls.__init__)
    params = list(sig.parameters.values())[1:]
    return sig.replace(parameters=params)
