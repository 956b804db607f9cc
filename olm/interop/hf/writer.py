"""Writing a Hugging Face folder atomically: everything lands, or nothing changes.

All files are first written into a hidden temporary folder beside the target. Only when
every file is complete is it moved into place: by one ``rename`` when the target does not
exist yet, or file by file with ``os.replace`` over a previous export. A failure at any
point removes the temporary folder and leaves the target as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import save_file

from olm.core.errors import OLMError

__all__ = ["write_hf_folder", "DEFAULT_SHARD_BYTES"]

DEFAULT_SHARD_BYTES = 5 * 1024**3  # the size transformers' save_pretrained uses
# Files that describe the model of an export; a new export replaces all of them.
_EXPORT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
)


def _nbytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def _shards(tensors: dict[str, torch.Tensor], max_bytes: int) -> list[dict[str, torch.Tensor]]:
    """Greedy split in name order, so each shard stays under ``max_bytes`` where possible."""
    shards: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for name in sorted(tensors):
        t = tensors[name]
        if shards[-1] and size + _nbytes(t) > max_bytes:
            shards.append({})
            size = 0
        shards[-1][name] = t
        size += _nbytes(t)
    return shards


def _write_weights(folder: Path, tensors: dict[str, torch.Tensor], max_bytes: int) -> None:
    # safetensors refuses shared or strided storage: give every tensor its own block.
    tensors = {k: v.detach().contiguous().clone() for k, v in tensors.items()}
    shards = _shards(tensors, max_bytes)
    if len(shards) == 1:
        save_file(shards[0], str(folder / "model.safetensors"), metadata={"format": "pt"})
        return
    weight_map = {}
    for i, shard in enumerate(shards, start=1):
        name = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, str(folder / name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(shard, name))
    index = {
        "metadata": {"total_size": sum(_nbytes(t) for t in tensors.values())},
        "weight_map": dict(sorted(weight_map.items())),
    }
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")


def _is_export_file(name: str) -> bool:
    return name in _EXPORT_FILES or (name.startswith("model-") and name.endswith(".safetensors"))


def _move_into_place(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.replace(tmp, target)
        return
    new_names = {p.name for p in tmp.iterdir()}
    for p in sorted(tmp.iterdir()):
        os.replace(p, target / p.name)
    # Files of an earlier export that the new one does not have (other shards, an old
    # tokenizer) would describe a different model: remove exactly those.
    for p in target.iterdir():
        if _is_export_file(p.name) and p.name not in new_names:
            p.unlink()
    tmp.rmdir()


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise OLMError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / "config.json").is_file():
        raise OLMError(
            f"{target} is a folder with other files in it; export into a new or empty "
            "folder, or over a previous export (one with a config.json)"
        )


def write_hf_folder(
    target: str | Path,
    config: dict,
    tensors: dict[str, torch.Tensor],
    extra: Callable[[Path], None] | None = None,
    max_shard_bytes: int = DEFAULT_SHARD_BYTES,
) -> Path:
    """Write ``config.json``, the weights and ``extra(folder)``'s files into ``target``.

    Args:
        target: the folder to create or update.
        config: the ``config.json`` content.
        tensors: Hugging Face tensor name → tensor.
        extra: writes further files (the tokenizer) into the folder it is given.
        max_shard_bytes: above this total the weights are split into shards.

    Returns:
        The target folder.
    """
    target = Path(target)
    _check_target(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        (tmp / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        _write_weights(tmp, tensors, max_shard_bytes)
        if extra is not None:
            extra(tmp)
        _move_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
