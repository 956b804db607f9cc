"""Autoregressive sampling with the key/value cache.

With a :class:`olm.nn.attention.KVCache`, the prompt runs once and each new token costs
one position of compute; without one, every step re-runs the whole sequence. A model
whose layers ignore the cache is detected after the prompt (the cache stays empty) and
sampled the slow way, so the output is right either way.
"""

from __future__ import annotations

import importlib

import torch
from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.generation.filters import apply_filters

__all__ = ["context_limit", "greedy", "sample"]


def _new_cache():
    try:
        return importlib.import_module("olm.nn.attention").KVCache()
    except (ModuleNotFoundError, AttributeError):
        return None


def context_limit(model: nn.Module) -> int | None:
    """The longest sequence the model can read: its learned position table's length.

    Rotary, ALiBi and sinusoidal positions have no hard limit, so ``None`` for them.
    """
    from olm.nn.embeddings import AbsolutePositionalEmbedding

    limits = [m.max_seq_len for m in model.modules() if isinstance(m, AbsolutePositionalEmbedding)]
    return min(limits) if limits else None


def _check(ids: Tensor, max_new_tokens: int, temperature: float, top_k, top_p) -> None:
    if ids.dim() != 2 or ids.size(1) == 0:
        raise ValueError(f"ids must be [B, N] with N >= 1, got shape {tuple(ids.shape)}")
    if max_new_tokens < 0:
        raise ConfigError(f"max_new_tokens must be >= 0, got {max_new_tokens}")
    if temperature < 0:
        raise ConfigError(f"temperature must be >= 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ConfigError(f"top_k must be >= 1 or None, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ConfigError(f"top_p must be in (0, 1] or None, got {top_p}")


def _pick(logits: Tensor, temperature: float, top_k, top_p, generator) -> Tensor:
    if temperature == 0:
        return logits.argmax(-1, keepdim=True)
    probs = apply_filters(logits, temperature, top_k, top_p).softmax(-1)
    return torch.multinomial(probs, 1, generator=generator)


@torch.no_grad()
def sample(
    model: nn.Module,
    ids: Tensor,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    kv_cache: bool = True,
    generator: torch.Generator | None = None,
    eos_id: int | list[int] | None = None,
    max_context: int | None = None,
) -> Tensor:
    """Continue ``ids`` by ``max_new_tokens`` tokens.

    Args:
        model: maps ids ``[B, N]`` to logits ``[B, N, V]``; takes ``kv_cache=``.
        ids: the prompt ``[B, N]`` (long).
        max_new_tokens: tokens to add.
        temperature: softmax temperature; 0 means greedy (argmax).
        top_k: sample only among the k most likely tokens.
        top_p: sample only from the smallest set reaching probability p.
        kv_cache: reuse keys/values of earlier positions (same result, much faster).
        generator: random source (leaves the global RNG untouched when given).
        eos_id: stop once every row has produced this token (or one of these).
        max_context: the most tokens the model reads at once; older ones are dropped
            (the cache too) once the text grows past it. Default: the model's learned
            position table (:func:`context_limit`), unlimited for rotary models.

    Returns:
        ``[B, N + new]`` ids: the prompt followed by the sampled tokens.
    """
    _check(ids, max_new_tokens, temperature, top_k, top_p)
    was_training = model.training
    model.eval()
    try:
        cache = _new_cache() if kv_cache else None
        out = ids
        step_input = ids
        done = torch.zeros(ids.size(0), dtype=torch.bool, device=ids.device)
        stops = None if eos_id is None else torch.tensor(
            eos_id if isinstance(eos_id, (list, tuple)) else [eos_id], device=ids.device)
        limit = max_context if max_context is not None else context_limit(model)
        for _ in range(max_new_tokens):
            if limit is not None and cache is not None and (
                cache.length + step_input.size(1) > limit
            ):
                cache = None  # past the position table: re-read a cropped window from now on
            if cache is not None:
                logits = model(step_input, kv_cache=cache)
                if cache.length == 0:  # the model ignores the cache: recompute from now on
                    cache = None
            else:
                logits = model(out if limit is None else out[:, -limit:])
            nxt = _pick(logits[:, -1, :], temperature, top_k, top_p, generator)
            out = torch.cat([out, nxt], dim=1)
            step_input = nxt
            if stops is not None:
                done |= torch.isin(nxt.squeeze(1), stops)
                if bool(done.all()):
                    break
        return out
    finally:
        model.train(was_training)


def greedy(model: nn.Module, ids: Tensor, max_new_tokens: int, kv_cache: bool = True) -> Tensor:
    """Greedy decoding: always the most likely next token."""
    return sample(model, ids, max_new_tokens, temperature=0.0, kv_cache=kv_cache)
