"""Saving and loading models as checkpoint folders, with no pickle anywhere.

A folder holds ``model.olm.json`` (the architecture as an :mod:`olm.graph` document),
``model.safetensors`` (the weights; a tied weight is stored once) and optionally
``tokenizer/``. Loading rebuilds the model from the document and fills in the weights, so
opening a folder someone sent you never runs their code, unlike ``torch.load`` of a
pickled module. ``Block.save`` calls :func:`save_block`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from torch import nn

from olm.core.errors import FileFormatError

__all__ = ["save_block", "load", "load_model", "load_block", "MODEL_FILE", "WEIGHTS_FILE"]

MODEL_FILE = "model.olm.json"
WEIGHTS_FILE = "model.safetensors"
TOKENIZER_DIR = "tokenizer"


def save_block(block: nn.Module, path: str | os.PathLike, tokenizer: Any = None) -> Path:
    """Write ``block``'s architecture and weights (and ``tokenizer``) to folder ``path``.

    Args:
        block (nn.Module): a model made of `olm` components.
        path (str | os.PathLike): the folder; created if missing, reused if it exists.
        tokenizer (Any): anything with ``save(directory)``, stored in ``tokenizer/``.

    Returns:
        Path: the folder.

    Raises:
        NotADirectoryError: ``path`` is an existing file.
        OLMError: the model contains parts that cannot be described as a document.
    """
    from safetensors.torch import save_model

    from olm.graph import from_module, save

    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file; Block.save needs a folder")
    graph = from_module(block)
    folder.mkdir(parents=True, exist_ok=True)
    save(graph, folder / MODEL_FILE)
    fd, tmp = tempfile.mkstemp(prefix=".model.", suffix=".safetensors", dir=folder)
    os.close(fd)
    try:
        save_model(block, tmp, metadata={"format": "olm"})
        os.replace(tmp, folder / WEIGHTS_FILE)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if tokenizer is not None:
        tokenizer.save(folder / TOKENIZER_DIR)
    return folder


def load(path: str | os.PathLike, *, trusted: bool = True) -> Any:
    """Rebuild a model saved by :func:`save_block` (no pickle, so no code runs).

    Args:
        path (str | os.PathLike): the checkpoint folder.
        trusted (bool): accepted for compatibility with OLM's pickle-based loader; loading
            is safe either way, because nothing in the folder is executed.

    Returns:
        The model, or ``(model, tokenizer)`` when the folder holds a tokenizer.

    Raises:
        FileFormatError: the folder or one of its files is missing or unreadable.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_model as load_weights

    from olm.graph import build
    from olm.graph import load as load_graph

    folder = Path(path)
    if not folder.is_dir():
        raise FileFormatError(f"{folder}: not a checkpoint folder")
    if not (folder / MODEL_FILE).exists():
        if (folder / "model.pt").exists():
            raise FileFormatError(
                f"{folder}: holds only a pickled model.pt, which olm never loads because "
                "unpickling can run arbitrary code; re-save it with Block.save"
            )
        raise FileFormatError(f"{folder}: no {MODEL_FILE} (is this an olm checkpoint?)")
    weights = folder / WEIGHTS_FILE
    if not weights.exists():
        raise FileFormatError(f"{folder}: no {WEIGHTS_FILE} beside {MODEL_FILE}")
    model = build(load_graph(folder / MODEL_FILE))
    try:
        missing, unexpected = load_weights(model, str(weights), strict=False)
    except (SafetensorError, OSError, RuntimeError, ValueError) as err:
        raise FileFormatError(f"{weights}: cannot be read ({err})") from None
    if missing or unexpected:
        raise FileFormatError(
            f"{weights}: does not match {MODEL_FILE} "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})"
        )
    if (folder / TOKENIZER_DIR).is_dir():
        from olm.data import load_tokenizer_dir

        return model, load_tokenizer_dir(folder / TOKENIZER_DIR)
    return model


load_model = load_block = load
