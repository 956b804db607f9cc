"""Lazy package attributes: ``from olm.graph import build`` without importing torch first.

A package ``__init__`` that re-exports names from heavy submodules would import all of
them (and torch) the moment any light submodule is touched. :func:`lazy_exports` makes
each name's submodule load on first use (PEP 562), so a torch-free path (opening a
document, ``olm info GPT2``) stays torch-free.

Several exported functions share their submodule's name (``olm.graph.build.build``).
Importing such a submodule makes Python set the package attribute to the *module*; the
package's module class below keeps the exported function there instead, as the eager
``from olm.graph.build import build`` used to.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["lazy_exports"]


class _LazyPackage(types.ModuleType):
    """A package module whose exported names resolve on first use."""

    _lazy_names: dict[str, str]

    def __getattr__(self, name: str) -> Any:
        module = self.__dict__.get("_lazy_names", {}).get(name)
        if module is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        self.__dict__[name] = value
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self.__dict__.get("_lazy_names", {})))

    def __setattr__(self, name: str, value: Any) -> None:
        names = self.__dict__.get("_lazy_names", {})
        if (
            isinstance(value, types.ModuleType)
            and names.get(name) == value.__name__
            and value.__name__ == f"{self.__name__}.{name}"
            and hasattr(value, name)
        ):
            value = getattr(value, name)  # the submodule just loaded: export its function
        super().__setattr__(name, value)


def lazy_exports(package: str, names: dict[str, str]) -> None:
    """Make ``package`` export ``names`` (name → defining module), each loaded on first use.

    Args:
        package (str): the package's ``__name__`` (call this from its ``__init__``).
        names (dict[str, str]): exported name → absolute module that defines it.
    """
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module.__dict__["_lazy_names"] = dict(names)
