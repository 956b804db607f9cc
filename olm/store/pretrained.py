"""Open anything that carries weights: a Hugging Face folder, a project file with its
weights beside it, a checkpoint or run folder, or a GGUF file.

One function, :func:`open_pretrained`, so that ``olm generate``, ``olm eval``,
``olm train --init-from`` and the Studio's File → Open pretrained… accept the same things
and say the same thing when a path is none of them. Hugging Face folders and GGUF files
are read by ``olm.interop``, which sits above this package; the package root registers
those readers (:mod:`olm.core.hooks`), so ``olm.train`` (``--init-from``) reaches them
without importing ``olm.interop``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from olm.core.errors import FileFormatError, OLMError
from olm.core.hooks import reader
from olm.store.layout import PROJECT_SUFFIX, project_paths

__all__ = ["Pretrained", "open_pretrained", "describe_weights"]


@dataclass
class Pretrained:
    """A model with its weights, as :func:`open_pretrained` found it.

    Args:
        model (nn.Module): the model, weights loaded, in eval mode.
        graph (object): its `olm.graph` document.
        tokenizer (object | None): the tokenizer that came with it.
        kind (str): "hf", "project", "checkpoint" or "gguf".
        path (Path): what was opened.
    """

    model: nn.Module
    graph: Any
    tokenizer: Any
    kind: str
    path: Path


def describe_weights(model: nn.Module) -> str:
    """``"1,234,567 parameters, float32, 4.7 MB"``: what a status line says about weights."""
    params = list({id(p): p for p in model.parameters()}.values())
    count = sum(p.numel() for p in params)
    size = sum(p.numel() * p.element_size() for p in params)
    dtypes = sorted({str(p.dtype).removeprefix("torch.") for p in params})
    unit = next((u for u, s in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)) if size >= s), "B")
    scale = {"GB": 1e9, "MB": 1e6, "kB": 1e3, "B": 1}[unit]
    return f"{count:,} parameters, {'/'.join(dtypes) or 'no weights'}, {size / scale:.1f} {unit}"


def _open_project(path: Path) -> Pretrained:
    from safetensors.torch import load_model

    import olm.graph

    paths = project_paths(path)
    if not paths["weights"].is_file():
        raise FileFormatError(f"{path} has no weights beside it (expected {paths['weights'].name})")
    graph = olm.graph.load(path)
    model = olm.graph.build(graph)
    try:
        missing, unexpected = load_model(model, str(paths["weights"]), strict=False)
    except Exception as err:  # shapes differ, or safetensors' own error types
        first = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise FileFormatError(f"{paths['weights']} does not fit {path.name}: {first}") from None
    if missing or unexpected:
        raise FileFormatError(f"{paths['weights']} does not fit {path.name}: missing "
                              f"{sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]}")
    tokenizer = None
    if paths["tokenizer"].is_dir():
        from olm.data import load_tokenizer_dir

        tokenizer = load_tokenizer_dir(paths["tokenizer"])
    return Pretrained(model.eval(), graph, tokenizer, "project", path)


def open_pretrained(path: str | os.PathLike, *, dtype: Any = None) -> Pretrained:
    """Open a model together with its weights and tokenizer.

    Args:
        path: a Hugging Face folder (``config.json``), ``NAME.olm.json`` with
            ``NAME.safetensors`` beside it, a checkpoint or run folder, or a ``.gguf`` file.
        dtype: for a Hugging Face folder or GGUF file, the dtype to load into (default float32).

    Raises:
        OLMError: the path is none of these, or what is there is damaged (the message
            names the file).
    """
    p = Path(path)
    if not p.exists():
        raise OLMError(f"{p} does not exist")
    if p.is_file() and p.suffix.lower() == ".gguf":
        imported = reader("gguf")(p, dtype=dtype)
        return Pretrained(imported.model, imported.graph, imported.tokenizer, "gguf", p)
    if p.is_file() and p.name.endswith(PROJECT_SUFFIX):
        return _open_project(p)
    if p.is_dir() and (p / "config.json").is_file():
        imported = reader("hf")(p, dtype=dtype)
        return Pretrained(imported.model, imported.graph, imported.tokenizer, "hf", p)
    if p.is_dir():
        from olm.store.checkpoint import load

        ck = load(p)
        return Pretrained(ck.model.eval(), ck.graph, ck.tokenizer, "checkpoint", ck.path)
    raise OLMError(f"{p} carries no weights olm opens: give a Hugging Face folder, a "
                   f"NAME{PROJECT_SUFFIX} with NAME.safetensors beside it, a checkpoint or run "
                   "folder, or a .gguf file")
