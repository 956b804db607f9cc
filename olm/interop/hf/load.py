"""`load_hf` / `read_hf`: a local Hugging Face folder → an `olm` model with its weights.

Reads ``config.json`` and the safetensors weights (one file or shards with an index)
with ``json`` and ``safetensors`` only. Everything a folder can get wrong — an unknown
architecture, a config field olm cannot express, a missing, extra or misshapen tensor —
is an `OLMError` naming the field or tensor.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from olm.core.errors import FileFormatError, OLMError
from olm.core.files import read_text
from olm.core.limits import MAX_CONFIG_BYTES
from olm.interop.hf.archs import ARCHITECTURES, Architecture, ConfigView, architecture_named
from olm.interop.hf.builder import build_model, build_on_meta
from olm.interop.hf.canonical import canonical_shapes
from olm.interop.hf.config_sizes import check_config_sizes
from olm.interop.hf.reader import read_model
from olm.interop.hf.spec import DecoderSpec
from olm.interop.hf.tensors import TensorSource
from olm.interop.hf.tokenizer import read_tokenizer

__all__ = ["HFImport", "read_hf", "load_hf", "import_tensors", "read_config", "describe_config"]


@dataclass
class HFImport:
    """What `read_hf` found.

    Args:
        model (nn.Module): the olm model with the checkpoint's weights, in eval mode.
        architecture (str): the Hugging Face class name (``"LlamaForCausalLM"``).
        config (dict): the folder's ``config.json``.
        spec (DecoderSpec): the neutral description the model was built from.
        tokenizer (object | None): the folder's ``tokenizer.json`` as an olm tokenizer.
    """

    model: nn.Module
    architecture: str
    config: dict
    spec: DecoderSpec
    tokenizer: Any = None

    @property
    def graph(self) -> Any:
        """The model's `olm.graph` document (for the Studio), or None without olm.graph."""
        try:
            graph = importlib.import_module("olm.graph")
        except ModuleNotFoundError:
            return None
        return graph.from_module(self.model)


def read_config(folder: Path) -> dict:
    """A folder's ``config.json``, bounded in size and with every number within olm's
    limits (:func:`~olm.interop.hf.config_sizes.check_config_sizes`)."""
    return _read_config(folder)


def describe_config(config: dict) -> nn.Module:
    """The olm model a ``config.json`` describes, on the ``meta`` device (no weights read,
    nothing allocated): what ``olm info`` shows for a Hugging Face folder or GGUF file."""
    arch = _architecture(config)
    return build_on_meta(arch.from_config(ConfigView(config, arch.name)), arch.name)


def _read_config(folder: Path) -> dict:
    file = folder / "config.json"
    if not folder.is_dir():
        raise OLMError(f"{folder} is not a folder")
    if not file.is_file():
        raise OLMError(f"{folder} has no config.json")
    text = read_text(file, MAX_CONFIG_BYTES, "config.json")  # bounded: never a FIFO or 30 GB
    try:
        data = json.loads(text)
    except (RecursionError, ValueError) as err:
        raise FileFormatError(f"{file}: not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise FileFormatError(f"{file}: expected a JSON object")
    check_config_sizes(data)  # every size within olm's limits before anything reads it
    return data


def _architecture(config: dict) -> Architecture:
    names = config.get("architectures") or []
    if not isinstance(names, list):
        names = [names]
    for name in [*names, config.get("model_type")]:
        arch = architecture_named(name) if isinstance(name, str) else None
        if arch is not None:
            return arch
    shown = names[0] if names else config.get("model_type")
    known = ", ".join(a.name for a in ARCHITECTURES)
    raise OLMError(f"config.json architecture {shown!r} is not one olm reads ({known})")


_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def _resolve_dtype(dtype: torch.dtype | str | None, config: dict) -> torch.dtype:
    if dtype is None:
        return torch.float32
    if dtype == "auto":
        dtype = config.get("dtype") or config.get("torch_dtype") or "float32"
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise OLMError(f"dtype {dtype!r} is not one of {sorted(_DTYPES)} or 'auto'")
        return _DTYPES[dtype]
    if dtype not in _DTYPES.values():
        raise OLMError(f"dtype {dtype} is not a floating point type olm loads into")
    return dtype


def read_hf(path: str | Path, *, dtype: torch.dtype | str | None = None) -> HFImport:
    """Read a local Hugging Face folder into an olm model, its spec and its tokenizer.

    Args:
        path: the folder (``config.json`` + ``model.safetensors`` or a sharded index).
        dtype: the model's dtype: a torch dtype, "float32", "bfloat16", "float16", or
            "auto" (what config.json says the weights are); default float32.

    Returns:
        An `HFImport`; ``.model`` is the model, ``.graph`` its olm.graph document.
    """
    folder = Path(path)
    config = _read_config(folder)
    return _import(config, TensorSource(folder), dtype, read_tokenizer(folder, config))


def _import(config: dict, src: TensorSource, dtype: Any, tokenizer: Any) -> HFImport:
    arch = _architecture(config)
    spec = arch.from_config(ConfigView(config, arch.name))
    try:  # every tensor is checked against the config before the model is allocated
        canon = arch.from_hf(src, spec, canonical_shapes(spec))
        unused = src.unused()
    finally:
        src.close()
    if unused:
        more = f" (and {len(unused) - 1} more)" if len(unused) > 1 else ""
        raise OLMError(f"tensor {unused[0]!r}{more} in {src.folder} has no place in this "
                       f"{arch.name}")
    model = build_model(spec, arch.name, _resolve_dtype(dtype, config))
    for name, slot in read_model(model).slots.items():
        slot.assign(canon[name])
    model.eval()
    return HFImport(model, arch.name, config, spec, tokenizer)


def import_tensors(config: dict, tensors: dict[str, torch.Tensor], where: str | Path,
                   dtype: torch.dtype | str | None = None, tokenizer: Any = None) -> HFImport:
    """Import a Hugging Face ``config`` with its tensors already in memory (GGUF reading).

    Args:
        config: the ``config.json`` content.
        tensors: Hugging Face tensor name → tensor.
        where: the file they came from (for messages).
        dtype: as for :func:`read_hf`.
        tokenizer: the olm tokenizer to attach.
    """
    from olm.interop.hf.tensors import DictTensorSource

    check_config_sizes(config, f"{where}:")
    return _import(config, DictTensorSource(tensors, where), dtype, tokenizer)


def load_hf(path: str | Path, *, dtype: torch.dtype | str | None = None) -> nn.Module:
    """The olm model for a local Hugging Face folder (see `read_hf`; ``read_hf(p).graph``
    gives its olm.graph document)."""
    return read_hf(path, dtype=dtype).model
