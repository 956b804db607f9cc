"""The sizes in a Hugging Face ``config.json`` (or a GGUF file's metadata) checked first.

A 700-byte ``config.json`` can say ``"n_layer": 2147483648``; if that number reached a
list, a loop or a constructor, the machine would run out of memory before any message
appeared. Every number in the config is therefore checked here, before the architecture
reads it, against the same table the project and ``.py`` readers use
(:mod:`olm.core.limits`): each known size key against the range of the olm parameter it
becomes, every other integer against :data:`~olm.core.limits.MAX_MAGNITUDE`. The import then
checks every tensor's shape against the config before it allocates the model
(:mod:`olm.interop.hf.load`), so no model is built that the files could not fill.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from olm.core.errors import OLMError
from olm.core.limits import (
    MAX_EXPERT_INSTANCES,
    MAX_MAGNITUDE,
    MAX_VALUE_DEPTH,
    RANGES,
    range_for,
)

__all__ = ["HF_SIZE_KEYS", "check_config_sizes"]

#: Hugging Face config keys → the olm parameter whose range (olm.core.limits.RANGES)
#: applies. Keys that are olm parameter names themselves (``vocab_size``,
#: ``intermediate_size``, ``d_model``, ``head_dim``, ``sliding_window``, ``num_experts``,
#: the latent-attention sizes, ``rope_theta``) use their own range directly.
HF_SIZE_KEYS: dict[str, str] = {
    "hidden_size": "embed_dim", "n_embd": "embed_dim",
    "n_inner": "hidden_dim", "moe_intermediate_size": "hidden_dim",
    "num_hidden_layers": "num_layers", "n_layer": "num_layers",
    "max_window_layers": "num_layers", "first_k_dense_replace": "first_dense_layers",
    "decoder_sparse_step": "num_layers",
    "num_attention_heads": "num_heads", "n_head": "num_heads",
    "num_key_value_heads": "num_kv_heads",
    "max_position_embeddings": "max_seq_len", "n_positions": "max_seq_len",
    "n_ctx": "max_seq_len",
    "num_local_experts": "num_experts", "n_routed_experts": "num_experts",
    "num_experts_per_tok": "top_k", "experts_per_token": "top_k",
    "n_shared_experts": "num_shared_experts", "n_group": "num_groups",
    "topk_group": "topk_groups",
}
_TOKEN_IDS = ("bos_token_id", "eos_token_id", "pad_token_id")


def _fmt(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _numbers(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > MAX_VALUE_DEPTH:
        raise OLMError(f"config.json field {path!r} is nested more than {MAX_VALUE_DEPTH} deep")
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, value


def _first(config: dict, keys: tuple[str, ...]) -> int:
    for key in keys:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 1


def check_config_sizes(config: dict, where: str = "config.json") -> None:
    """Refuse a config whose numbers are beyond olm's limits, before anything reads them.

    Args:
        config: the parsed ``config.json`` (or the config a GGUF file's metadata becomes).
        where: what to name in the message (``config.json`` or the GGUF file's key).

    Raises:
        OLMError: ``"config.json field 'n_layer' = 2,147,483,648 is out of range: at most
            1,024 (olm's limit for num_layers)"``.
    """
    for path, value in _numbers(config, ""):
        if isinstance(value, int) and abs(value) > MAX_MAGNITUDE:
            raise OLMError(f"{where} field {path!r} = {_fmt(value)} is too large: numbers in a "
                           f"config may be at most {_fmt(MAX_MAGNITUDE)}")
        if isinstance(value, float) and not math.isfinite(value):
            continue  # the field's reader names its own rule (a cap of "Infinity" and such)
        name = HF_SIZE_KEYS.get(path, path if path in RANGES else None)
        if name is None:
            continue
        high = range_for(name, "int" if isinstance(RANGES[name][1], int) else "float")[1]
        if value > high:  # lower bounds are the field reader's rule (it names it)
            raise OLMError(f"{where} field {path!r} = {_fmt(value)} is out of range: at most "
                           f"{_fmt(high)} (olm's limit for {name})")
        if value < 0:
            raise OLMError(f"{where} field {path!r} = {_fmt(value)} must not be negative")
    layers = _first(config, ("num_hidden_layers", "n_layer", "num_layers"))
    experts = _first(config, ("num_local_experts", "n_routed_experts", "num_experts"))
    if layers * experts > MAX_EXPERT_INSTANCES:
        raise OLMError(f"{where} asks for {layers:,} layers x {experts:,} experts, more than the "
                       f"{MAX_EXPERT_INSTANCES:,} experts a model may have")
    vocab = config.get("vocab_size")
    for key in _TOKEN_IDS:
        ids = config.get(key)
        for token in ids if isinstance(ids, list) else [ids]:
            if isinstance(vocab, int) and isinstance(token, int) and not isinstance(token, bool) \
                    and not -1 <= token < vocab:
                raise OLMError(f"{where} field {key!r} = {token:,} is not a token id: the "
                               f"vocabulary has {vocab:,} tokens")
