"""``from_source``: one way to name a model everywhere (CLI, Studio, scripts).

A source is a preset name (``"Llama3_1_8B"``, built on the ``meta`` device, so it costs
nothing), a ``*.olm.json`` project file, a checkpoint folder holding ``model.olm.json``,
or a ``.py`` file (parsed, never executed).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import torch

from olm.core.errors import OLMError
from olm.core.files import read_text
from olm.core.limits import MAX_SOURCE_BYTES
from olm.graph.document import Graph
from olm.graph.from_module import from_module
from olm.graph.from_python import from_python
from olm.graph.project import load

__all__ = ["from_source", "preset_graph"]


def preset_graph(name: str) -> Graph:
    """The document of preset ``name`` from ``olm.models.PRESETS`` (built on meta).

    Raises:
        OLMError: no such preset (the message suggests close names).
    """
    from olm.models import PRESETS

    if name not in PRESETS:
        close = difflib.get_close_matches(name, list(PRESETS), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; presets: {', '.join(PRESETS)}"
        raise OLMError(f"{name!r} is neither a file nor a preset{hint}")
    with torch.device("meta"):
        module = PRESETS[name].cls()
    return from_module(module, name=name)


def from_source(spec: str | os.PathLike) -> Graph:
    """The document named by ``spec``: preset name, ``.olm.json``, checkpoint folder or ``.py``.

    Raises:
        OLMError: unknown preset; FileFormatError: unreadable file.
    """
    path = Path(spec)
    text = str(spec)
    if path.is_dir():
        return load(path / "model.olm.json")
    if text.endswith(".py"):
        # Bounded read: a link to /dev/zero, a FIFO or a huge file is refused, not read.
        source = read_text(path, MAX_SOURCE_BYTES, "Python model file")
        graph = from_python(source, filename=str(path))
        if graph.name == "model":
            graph.name = path.stem
        return graph
    if text.endswith(".json") or path.exists():
        return load(path)
    return preset_graph(text)
