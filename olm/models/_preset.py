"""Preset metadata: what each named reference model is, in one table the UI can read.

A preset is a no-argument subclass of a family class (``Llama3_1_8B(Llama3Model)``) that
only fills in the published numbers. The :func:`preset` decorator records, next to those
numbers, the facts a person browsing presets wants without building anything: the year,
the notable design choices (worded as on the reference page's timeline), the Hugging
Face architecture it corresponds to, and its exact parameter count (checked against
``transformers`` by the test suite). It also registers the class in
``olm.core.registry.MODELS`` so it can be built by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from torch import nn

from olm.core.registry import MODELS

__all__ = ["PRESETS", "PresetInfo", "preset"]

T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class PresetInfo:
    """Facts about one named reference model.

    Args:
        name (str): the preset's class name, e.g. ``"Llama3_1_8B"``.
        cls (type): the preset class; ``cls()`` builds the model.
        family (str): the model family as people name it, e.g. ``"Llama 3"``.
        year (int): the year the family (or this release) was published.
        notable (str): one line on the family's notable design choices.
        hf_architecture (str): the matching ``transformers`` architecture class name.
        params (int): exact parameter count of the published checkpoint (tied weights
            counted once).
    """

    name: str
    cls: type
    family: str
    year: int
    notable: str
    hf_architecture: str
    params: int

    @property
    def family_class(self) -> type:
        """The configurable family class the preset fills in (e.g. ``Llama3Model``)."""
        return self.cls.__mro__[1]


PRESETS: dict[str, PresetInfo] = {}


def preset(
    *, family: str, year: int, notable: str, hf_architecture: str, params: int
) -> Callable[[T], T]:
    """Class decorator: record a preset's metadata in ``PRESETS`` and register it in ``MODELS``.

    Args:
        family (str): the model family as people name it.
        year (int): publication year.
        notable (str): one line on the notable design choices.
        hf_architecture (str): the ``transformers`` architecture class name.
        params (int): exact parameter count of the published checkpoint.
    """

    def register(cls: T) -> T:
        if not issubclass(cls, nn.Module):
            raise TypeError(f"preset {cls.__name__} must be an nn.Module subclass")
        name = cls.__name__
        if name in PRESETS and PRESETS[name].cls is not cls:
            raise ValueError(f"preset {name!r} is already defined")
        PRESETS[name] = PresetInfo(
            name=name,
            cls=cls,
            family=family,
            year=year,
            notable=notable,
            hf_architecture=hf_architecture,
            params=params,
        )
        MODELS.register(name)(cls)
        return cls

    return register
