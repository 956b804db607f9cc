"""Export from the Train panel: a checkpoint folder, Python source, a Hugging Face folder.

Plain functions (no Qt) so the panel's buttons and the tests call the same code. Every
failure a person can cause (a folder that is in the way, a model transformers has no
architecture for) is an :class:`OLMError` whose message the panel shows as is.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from olm.core.errors import OLMError
from olm.store.layout import WEIGHTS, staging_path

__all__ = ["export_checkpoint", "export_python", "export_hf"]


def _fresh_target(path: Path) -> None:
    """Refuse to mix an export into a folder that already holds something."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OLMError(f"{path} already exists and is not empty: choose a new folder")


def export_checkpoint(checkpoint: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    """Copy a run's checkpoint (weights, graph, tokenizer, trainer state) to ``dest``.

    The copy is a complete checkpoint: ``olm generate DEST`` and ``olm train --resume DEST``
    read it like the original.
    """
    src, target = Path(checkpoint), Path(dest)
    if not (src / WEIGHTS).is_file():
        raise OLMError(f"{src} is not a checkpoint (it has no {WEIGHTS})")
    _fresh_target(target)
    if target.exists():
        target.rmdir()
    tmp = staging_path(target)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    os.replace(tmp, target)
    return target


def export_python(graph: Any, dest: str | os.PathLike[str]) -> Path:
    """Write the graph as a standalone Python file (``olm.graph.to_python``)."""
    import olm.graph

    target = Path(dest)
    source = olm.graph.to_python(graph)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(source, encoding="utf-8")
    os.replace(tmp, target)
    return target


def export_hf(checkpoint: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    """Write a Hugging Face folder ``transformers`` loads, when the model maps to one.

    Raises:
        OLMError: the model has no ``transformers`` architecture (the reason says why),
            or the folder is in the way.
    """
    from olm.interop.hf import save_hf
    from olm.store.checkpoint import load

    target = Path(dest)
    _fresh_target(target)
    loaded = load(checkpoint)
    save_hf(loaded.model, target, tokenizer=loaded.tokenizer)
    return target
