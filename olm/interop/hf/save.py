"""`save_hf`: an `olm` model → a folder `transformers` loads with identical logits.

Only ``json`` and ``safetensors`` are used, so exporting never needs `transformers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import nn

from olm.core.errors import OLMError
from olm.interop.hf.archs import ARCHITECTURES, Architecture, architecture_named
from olm.interop.hf.reader import read_model
from olm.interop.hf.spec import DecoderSpec
from olm.interop.hf.tokenizer import (
    as_olm_tokenizer,
    generation_config,
    special_token_ids,
    write_tokenizer,
)
from olm.interop.hf.writer import DEFAULT_SHARD_BYTES, write_hf_folder

__all__ = ["save_hf", "choose_architecture"]


def choose_architecture(spec: DecoderSpec, name: str | None = None) -> Architecture:
    """The first architecture that expresses ``spec`` (or the one named), else OLMError.

    When none matches, the refusal names the first part that does not map onto the
    closest architecture (the one with the fewest parts that do not map).
    """
    if name is not None:
        arch = architecture_named(name)
        if arch is None:
            known = ", ".join(a.name for a in ARCHITECTURES)
            raise OLMError(f"unknown Hugging Face architecture {name!r}; olm writes {known}")
        problem = next(arch.problems(spec), None)
        if problem is not None:
            raise OLMError(problem.message)
        return arch
    closest = None
    for arch in ARCHITECTURES:
        problems = list(arch.problems(spec))
        if not problems:
            return arch
        if closest is None or len(problems) < len(closest):
            closest = problems
    raise OLMError(f"no Hugging Face architecture matches this model: {closest[0].message}")


def save_hf(
    model: nn.Module,
    path: str | Path,
    tokenizer: Any = None,
    *,
    architecture: str | None = None,
    max_shard_bytes: int = DEFAULT_SHARD_BYTES,
) -> Path:
    """Write ``model`` as a Hugging Face folder: ``config.json``, ``model.safetensors``.

    The architecture is recognised from the model's structure (not its class), so a model
    edited in the Studio exports as long as its parts map. The folder is written
    atomically: on any error nothing is left behind.

    Args:
        model: an `olm` decoder (a preset, a family class, or the same parts by hand).
        path: the folder to write (created; a previous export there is replaced).
        tokenizer: an olm tokenizer (``olm.data``), a ``tokenizers.Tokenizer`` or a fast
            `transformers` tokenizer; writes ``tokenizer.json``, ``tokenizer_config.json``
            (with the chat template) and ``generation_config.json``, and sets the model's
            bos/eos/pad ids: an imported tokenizer's exactly as they were read.
        architecture: force one (``"MistralForCausalLM"``); default: the first that fits,
            in the order GPT-2, Llama, Qwen 2, Mistral, Mixtral, Gemma 2.
        max_shard_bytes: above this the weights are split into shards with an index.

    Returns:
        The folder written.

    Raises:
        OLMError: the model matches no architecture (naming the first part that does not
            map), its weights are not materialised, or the tokenizer does not fit.
    """
    tokenizer = as_olm_tokenizer(tokenizer)
    read = read_model(model)
    spec = read.spec
    arch = choose_architecture(spec, architecture)
    canon = {}
    for name, slot in read.slots.items():
        value = slot.value()
        if value.device.type == "meta":
            raise OLMError(
                "the model's weights are on the meta device; build it with real weights to export"
            )
        canon[name] = value.cpu()
    if tokenizer is not None and tokenizer.vocab_size > spec.vocab_size:
        raise OLMError(
            f"the tokenizer has {tokenizer.vocab_size} tokens but the model's vocabulary "
            f"only {spec.vocab_size}"
        )
    config = arch.to_config(spec)
    dtype = str(canon["embed.weight"].dtype).removeprefix("torch.")
    ids = special_token_ids(tokenizer)
    config.update(dtype=dtype, torch_dtype=dtype, **ids)
    generation = generation_config(tokenizer, ids) if tokenizer is not None else None

    def extra(folder: Path) -> None:
        if tokenizer is not None:
            write_tokenizer(tokenizer, folder, spec.max_positions)
        if generation is not None:
            (folder / "generation_config.json").write_text(generation, encoding="utf-8")

    return write_hf_folder(path, config, arch.to_hf(canon, spec), extra, max_shard_bytes)
