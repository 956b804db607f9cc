"""Reading the weights of a Hugging Face folder: one safetensors file or a sharded set.

`TensorSource` hands out tensors by name and checks each against the shape the config
implies, so a bad folder is reported as "tensor X has shape A, the config implies B"
rather than as a failure deep inside a ``copy_``. It also remembers what was taken, so
tensors the model would silently drop can be reported too.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open

from olm.core.errors import FileFormatError, OLMError

__all__ = ["TensorSource", "IGNORED_SUFFIXES"]

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"

# Buffers some exporters store although they are derived, not learned: rotary tables
# and GPT-2's causal-mask buffers. They are skipped, never reported as unexpected.
IGNORED_SUFFIXES = (".rotary_emb.inv_freq", ".attn.bias", ".attn.masked_bias")


def _weight_map(folder: Path) -> dict[str, Path]:
    """Tensor name → the file holding it."""
    index = folder / INDEX_NAME
    if index.is_file():
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            mapping = data["weight_map"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise FileFormatError(f"{index}: not a valid safetensors index ({err})") from None
        if not isinstance(mapping, dict):
            raise FileFormatError(f"{index}: 'weight_map' must map tensor names to files")
        files = {name: folder / str(file) for name, file in mapping.items()}
        for file in sorted(set(files.values())):
            if not file.is_file():
                raise OLMError(f"{index} lists shard {file.name}, which is missing from {folder}")
        return files
    single = folder / SINGLE_NAME
    if single.is_file():
        return {name: single for name in _open(single).keys()}
    if (folder / "pytorch_model.bin").exists():
        raise OLMError(
            f"{folder} holds pytorch_model.bin, a pickle, which olm does not read; "
            "convert it to model.safetensors first"
        )
    raise OLMError(f"{folder} has no {SINGLE_NAME} and no {INDEX_NAME}")


def _open(file: Path):
    try:
        return safe_open(str(file), framework="pt")
    except Exception as err:  # safetensors raises its own error types
        raise FileFormatError(f"{file}: not a readable safetensors file ({err})") from None


class TensorSource:
    """The tensors of a Hugging Face folder, handed out by name with shape checks.

    Args:
        folder (str | Path): the folder with ``model.safetensors`` or a sharded index.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._files = _weight_map(self.folder)
        self._handles: dict[Path, object] = {}
        self.taken: set[str] = set()

    def names(self) -> list[str]:
        return sorted(self._files)

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def take(self, name: str, shape: tuple[int, ...]) -> torch.Tensor:
        """The tensor ``name``, which must exist and have ``shape``."""
        file = self._files.get(name)
        if file is None:
            raise OLMError(f"tensor {name!r} is missing from {self.folder}")
        handle = self._handles.get(file)
        if handle is None:
            handle = self._handles[file] = _open(file)
        try:
            tensor = handle.get_tensor(name)
        except Exception as err:
            raise FileFormatError(f"{file}: cannot read tensor {name!r} ({err})") from None
        if tuple(tensor.shape) != tuple(shape):
            raise OLMError(
                f"tensor {name!r} has shape {tuple(tensor.shape)}, "
                f"but config.json implies {tuple(shape)}"
            )
        self.taken.add(name)
        return tensor

    def unused(self) -> list[str]:
        """Names never taken, except derived buffers that exporters sometimes store."""
        return [n for n in self.names() if n not in self.taken and not n.endswith(IGNORED_SUFFIXES)]

    def close(self) -> None:
        """Drop the open file handles (the memory maps close with them)."""
        self._handles.clear()


class DictTensorSource(TensorSource):
    """The same interface over tensors already in memory (a GGUF file, dequantised).

    Args:
        tensors (dict[str, torch.Tensor]): Hugging Face name → tensor.
        label (str | Path): what to name in messages (the file they came from).
    """

    def __init__(self, tensors: dict[str, torch.Tensor], label: str | Path) -> None:
        self.folder = Path(label)
        self._tensors = tensors
        self.taken = set()

    def names(self) -> list[str]:
        return sorted(self._tensors)

    def __contains__(self, name: object) -> bool:
        return name in self._tensors

    def take(self, name: str, shape: tuple[int, ...]) -> torch.Tensor:
        """The tensor ``name``, which must exist and have ``shape``."""
        tensor = self._tensors.get(name)
        if tensor is None:
            raise OLMError(f"tensor {name!r} is missing from {self.folder}")
        if tuple(tensor.shape) != tuple(shape):
            raise OLMError(f"tensor {name!r} has shape {tuple(tensor.shape)}, but the "
                           f"metadata implies {tuple(shape)}")
        self.taken.add(name)
        return tensor

    def close(self) -> None:
        """Nothing is open."""
