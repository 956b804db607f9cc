"""Lazy package attributes (PEP 562): ``from olm.train import TrainConfig`` without torch.

A package ``__init__`` that re-exports names from heavy submodules would import all of
them (and torch) the moment any light submodule is touched. :func:`lazy_exports` returns
the ``__getattr__`` and ``__dir__`` a package ``__init__`` assigns, so each exported name's
submodule loads on first use, and a torch-free path (opening a document, ``olm info
GPT2``, the Studio's start-up) stays torch-free.

Nothing else happens: the package stays a plain module (its class is never swapped).
That is why no exported name may share its submodule's name: importing the submodule
would replace the package attribute with the module. ``olm.graph`` names its modules
accordingly (``build`` lives in ``olm.graph.to_module``).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: dict[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` that load ``names`` on first use.

    Use in a package ``__init__``: ``__getattr__, __dir__ = lazy_exports(__name__, {...})``.

    Args:
        package (str): the package's ``__name__``.
        names (dict[str, str]): exported name → absolute module that defines it.

    Raises:
        ValueError: an exported name is also its defining submodule's name.
    """
    clashes = [n for n, m in names.items() if m == f"{package}.{n}"]
    if clashes:
        raise ValueError(f"{package}: exported names {clashes} share their submodule's name")
    table = dict(names)

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # found once, then a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(table))

    return __getattr__, __dir__
