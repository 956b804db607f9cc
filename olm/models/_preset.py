"""Preset classes made from the rows of :mod:`olm.models.table`.

A preset is a no-argument subclass of a family class (``Llama3_1_8B(Llama3Model)``) that
only fills in the published numbers. Those numbers are data (one row each in
:mod:`olm.models.table`); :func:`preset_class` turns a row into the class the reference
page imports, with the row's one-line doc as its docstring, and registers it in
``olm.core.registry.MODELS`` so it can be built by name.
"""

from __future__ import annotations

from typing import Any

from olm.core.registry import MODELS
from olm.models.table import PRESETS, PresetInfo

__all__ = ["PRESETS", "PresetInfo", "preset_class"]


def preset_class(name: str, family_class: type) -> type:
    """The preset class ``name``: ``family_class`` filled in with its row's numbers.

    Args:
        name (str): a preset name from :data:`olm.models.table.PRESETS`.
        family_class (type): the family class the row names (checked).

    Raises:
        ValueError: ``name`` has no row, or its row names another family class.
    """
    info = PRESETS.get(name)
    if info is None:
        raise ValueError(f"preset {name!r} has no row in olm.models.table")
    family = info.row.family
    if (family.module, family.class_name) != (family_class.__module__, family_class.__name__):
        raise ValueError(f"preset {name!r} belongs to {family.class_name}, not {family_class.__name__}")
    config = info.config

    def __init__(self: Any) -> None:
        family_class.__init__(self, **config)

    __init__.__qualname__ = f"{name}.__init__"
    cls = type(name, (family_class,), {
        "__init__": __init__,
        "__doc__": info.row.doc,
        "__module__": family_class.__module__,
        "__qualname__": name,
    })
    MODELS.register(name)(cls)
    return cls
