"""`rope_from_config`: the right rotary module for a RoPE theta and a Hugging Face scaling dict."""

from __future__ import annotations

from typing import Any

from olm.nn.embeddings.partial_rotary import PartialRotaryPositionalEmbedding
from olm.nn.embeddings.rotary import RotaryPositionalEmbedding

__all__ = ["rope_from_config"]


def rope_from_config(
    head_dim: int,
    max_seq_len: int,
    base: float = 10000.0,
    scaling: dict[str, Any] | None = None,
    partial_rotary_factor: float = 1.0,
) -> RotaryPositionalEmbedding:
    """Build the rotary embedding an attention layer needs.

    Attention layers take ``rope_scaling: dict | None`` in Hugging Face form and call
    this, so a ``config.json`` ``rope_scaling`` entry can be passed straight through.

    Args:
        head_dim: size of each attention head.
        max_seq_len: the longest sequence the model is meant for.
        base: RoPE theta.
        scaling: e.g. ``{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}``; None for
            plain RoPE. A ``partial_rotary_factor`` key in it wins over the argument.
        partial_rotary_factor: fraction of each head that is rotated, in (0, 1].

    Returns:
        A `RotaryPositionalEmbedding` (or its partial variant when the factor is below 1).
    """
    if scaling is not None and isinstance(scaling, dict):
        partial_rotary_factor = scaling.get("partial_rotary_factor", partial_rotary_factor)
    if partial_rotary_factor != 1.0:
        return PartialRotaryPositionalEmbedding(
            head_dim, partial_rotary_factor, base=base, max_seq_len=max_seq_len, scaling=scaling
        )
    return RotaryPositionalEmbedding(head_dim, max_seq_len, base=base, scaling=scaling)
