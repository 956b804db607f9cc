"""The architecture document of a pretrained file, read without its weights.

``olm info x.gguf`` and ``olm info hf_folder/`` describe what is there (parameters, FLOPs,
memory) the way they describe a preset: the metadata (``config.json``, or the GGUF keys
that stand for it) is read and checked, the model is built on the ``meta`` device, and
its document is returned. No tensor is read and nothing is allocated.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from olm.store.layout import MODEL_DOCUMENT

__all__ = ["pretrained_kind", "pretrained_graph"]


def pretrained_kind(path: str | os.PathLike) -> str | None:
    """``"gguf"`` for a ``.gguf`` file, ``"hf"`` for a Hugging Face folder (``config.json``
    and no olm document), else None."""
    p = Path(path)
    if p.suffix.lower() == ".gguf" and not p.is_dir():
        return "gguf"
    if p.is_dir() and (p / "config.json").is_file() and not (p / MODEL_DOCUMENT).exists():
        return "hf"
    return None


def pretrained_graph(path: str | os.PathLike) -> Any:
    """The olm.graph document of a GGUF file or Hugging Face folder, or None for any other
    path (a preset, project, checkpoint or ``.py`` file: ``olm.graph.from_source``'s)."""
    kind = pretrained_kind(path)
    if kind is None:
        return None  # before any import: `olm info PRESET` stays torch-free
    from olm.graph import from_module
    from olm.interop.hf.load import describe_config, read_config

    if kind == "gguf":
        from olm.interop.gguf import gguf_config

        config = gguf_config(path)
    else:
        config = read_config(Path(path))
    return from_module(describe_config(config), name=Path(path).stem or "model")
