"""``from_source``: one way to name a model everywhere (CLI, Studio, scripts).

A source is a preset name (``"Llama3_1_8B"``: its shipped architecture document,
``olm/models/documents/Llama3_1_8B.olm.json``, read without importing torch), a
``*.olm.json`` project file, a checkpoint folder holding ``model.olm.json``, or a ``.py``
file (parsed, never executed).
"""

from __future__ import annotations

import difflib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from olm.core.errors import OLMError
from olm.core.files import read_text
from olm.core.limits import MAX_SOURCE_BYTES
from olm.core.names import MODEL_DOCUMENT
from olm.graph.document import Graph
from olm.graph.from_python import from_python
from olm.graph.project import graph_from_data, load

__all__ = [
    "DOCUMENTS_DIR",
    "build_preset_graph",
    "from_source",
    "preset_document_path",
    "preset_graph",
]

# The shipped preset documents (written by tools/generate_data.py, checked by the tests).
DOCUMENTS_DIR = Path(__file__).resolve().parents[1] / "models" / "documents"


def preset_document_path(name: str) -> Path:
    """Where the shipped architecture document of preset ``name`` lives."""
    return DOCUMENTS_DIR / f"{name}.olm.json"


def _fresh_ids(text: str, ids: list[str]) -> str:
    """``text`` with every node id replaced by a new one, as a freshly built preset has."""
    for old in ids:
        text = text.replace(f'"{old}"', f'"{uuid.uuid4().hex}"')
    return text


def preset_graph(name: str) -> Graph:
    """The document of preset ``name`` from ``olm.models.PRESETS``.

    Read from its shipped document (no torch) when there is one, else built on the
    ``meta`` device and described. Node ids are fresh on every call, as before.

    Raises:
        OLMError: no such preset (the message suggests close names).
    """
    from olm.models.table import PRESETS

    if name not in PRESETS:
        close = difflib.get_close_matches(name, list(PRESETS), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; presets: {', '.join(PRESETS)}"
        raise OLMError(f"{name!r} is neither a file nor a preset{hint}")
    path = preset_document_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return build_preset_graph(name)
    ids = list(json.loads(text)["graph"]["nodes"])
    return graph_from_data(json.loads(_fresh_ids(text, ids)), str(path))


def build_preset_graph(name: str) -> Graph:
    """The document of preset ``name`` described from its module built on ``meta`` (torch)."""
    import torch

    from olm.graph.describe_module import from_module
    from olm.models.table import PRESETS

    with torch.device("meta"):
        module = PRESETS[name].cls()
    return from_module(module, name=name)


def _refuse_pretrained(path: Path) -> None:
    """A GGUF file or Hugging Face folder is weights plus metadata, not a document: say so
    (``olm.interop.describe`` reads them; ``olm info`` and ``olm import-hf`` accept them)."""
    if path.suffix.lower() == ".gguf" and path.is_file():
        kind = "a GGUF file"
    elif path.is_dir() and (path / "config.json").is_file() and not (path / MODEL_DOCUMENT).exists():
        kind = "a Hugging Face folder"
    else:
        return
    raise OLMError(f"{path} is {kind}, not an olm architecture document: describe it with "
                   f"olm info, or import it with olm import-hf {path} -o NAME.olm.json")


def from_source(spec: str | os.PathLike, overrides: Any = None) -> Graph:
    """The document named by ``spec``: preset name, ``.olm.json``, checkpoint folder or ``.py``.

    Args:
        spec: what to read.
        overrides: ``["NAME=VALUE", ...]`` or ``{name: value}`` variable changes
            (``--set``; see :mod:`olm.graph.overrides`).

    Raises:
        OLMError: unknown preset or a refused override; FileFormatError: unreadable file.
    """
    if overrides:
        from olm.graph.overrides import apply_overrides

        return apply_overrides(from_source(spec), overrides)
    path = Path(spec)
    text = str(spec)
    _refuse_pretrained(path)
    if path.is_dir():
        return load(path / MODEL_DOCUMENT)
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
