"""`PositionalEmbeddingBase`: the family base of every positional embedding."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from olm.core.capture import Component
from olm.core.errors import ConfigError

__all__ = ["PositionalEmbeddingBase", "positions_for", "require_positive", "INIT_STD"]

# GPT-2 and Llama draw embedding tables from N(0, 0.02); torch's default N(0, 1) would make
# learned positions drown the token vectors and start tied heads at a huge loss.
INIT_STD = 0.02


def require_positive(name: str, value: Any) -> None:
    """Raise a `ConfigError` naming ``name`` unless ``value`` is a positive int."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")


def positions_for(
    seq_len: int,
    seq_positions: Tensor | None,
    kv_cache: Any,
    device: torch.device,
) -> Tensor:
    """The absolute positions of the current tokens.

    Explicit ``seq_positions`` win; otherwise the tokens continue after whatever the
    cache already holds (``kv_cache.length``), so incremental decoding sees the same
    positions as a full forward.
    """
    if seq_positions is not None:
        return seq_positions.to(device)
    offset = kv_cache.length if kv_cache is not None else 0
    return torch.arange(offset, offset + seq_len, device=device)


class PositionalEmbeddingBase(Component):
    """Abstract base of positional embeddings (absolute, sinusoidal, rotary, ALiBi).

    Additive embeddings take ``forward(x, seq_positions=None, kv_cache=None)`` with ``x``
    of shape ``[B, N, D]``; positions default to ``kv_cache.length + arange(N)``.
    """

    family = None
