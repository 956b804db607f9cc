"""`PartialRotaryPositionalEmbedding`: RoPE on the first fraction of each head (GPT-NeoX, Phi)."""

from __future__ import annotations

from typing import Any

from olm.core.errors import ConfigError
from olm.nn.embeddings._rope_scaling import parse_hf_scaling
from olm.nn.embeddings.base import PositionalEmbeddingBase
from olm.nn.embeddings.rotary import RotaryPositionalEmbedding

__all__ = ["PartialRotaryPositionalEmbedding", "rotary_dim_for"]


def rotary_dim_for(head_dim: int, fraction: float, name: str = "rotary_percentage") -> int:
    """``int(head_dim * fraction)`` floored to even; raises if ``fraction`` is outside (0, 1] or it is 0."""
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 < fraction <= 1
    ):
        raise ConfigError(f"{name} must be in (0, 1], got {fraction!r}")
    rotary_dim = int(head_dim * fraction) // 2 * 2
    if rotary_dim == 0:
        raise ConfigError(f"{name} {fraction} of head_dim {head_dim} leaves no dims to rotate")
    return rotary_dim


class PartialRotaryPositionalEmbedding(RotaryPositionalEmbedding):
    """Rotates only the first ``rotary_dim = int(head_dim * rotary_percentage)`` dims (even).

    The remaining dims carry no position, which some models (GPT-NeoX, Phi-2) found to
    train as well for less compute.

    Args:
        head_dim (int): size of each attention head.
        rotary_percentage (float): fraction of each head that is rotated, in (0, 1].
            Default: 0.5.
        base (float): RoPE theta. Default: 10000.
        max_seq_len (int): the longest sequence the model is meant for. Default: 2048.
        scaling (dict | None): optional Hugging Face style frequency scaling. Default: None.
    """

    family = "embedding"

    def __init__(
        self,
        head_dim: int,
        rotary_percentage: float = 0.5,
        base: float = 10000,
        max_seq_len: int = 2048,
        scaling: dict[str, Any] | None = None,
    ) -> None:
        PositionalEmbeddingBase.__init__(self)
        rotary_dim = rotary_dim_for(head_dim, rotary_percentage)
        self.rotary_percentage = float(rotary_percentage)
        self._setup(head_dim, rotary_dim, max_seq_len, base, parse_hf_scaling(scaling, max_seq_len))
