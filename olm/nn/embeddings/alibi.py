"""`ALiBiPositionalBias`: attention biases that fall off linearly with distance (no embeddings)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from olm.nn.embeddings.base import PositionalEmbeddingBase, require_positive

__all__ = ["ALiBiPositionalBias", "alibi_slopes"]


def alibi_slopes(num_heads: int) -> list[float]:
    """Per-head slopes from the ALiBi paper (arXiv:2108.12409), geometric from ``2^(-8/H)``.

    For a head count that is not a power of two, the slopes of the next lower power of
    two are followed by every other slope of the next higher one (as in the reference
    implementation and BLOOM).
    """

    def power_of_two(n: int) -> list[float]:
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(num_heads).is_integer():
        return power_of_two(num_heads)
    lower = 2 ** math.floor(math.log2(num_heads))
    return power_of_two(lower) + power_of_two(2 * lower)[0::2][: num_heads - lower]


class ALiBiPositionalBias(PositionalEmbeddingBase):
    """Linear distance biases ``-m_h * |i - j|`` added to attention logits (ALiBi).

    The slopes are plain Python numbers turned into a tensor at call time, so there is no
    buffer to initialise (meta-device construction is free).

    Args:
        num_heads (int): number of attention heads (one slope each).
        max_seq_len (int): the longest sequence the model is meant for. Default: 2048.
    """

    family = "embedding"

    def __init__(self, num_heads: int, max_seq_len: int = 2048) -> None:
        super().__init__()
        require_positive("num_heads", num_heads)
        require_positive("max_seq_len", max_seq_len)
        self.num_heads = num_heads
        self.max_seq_len = max_seq_len
        self.slopes = alibi_slopes(num_heads)

    def forward(
        self,
        seq_len_q: int,
        seq_len_k: int,
        device: torch.device | None = None,
        offset: int | None = None,
    ) -> Tensor:
        """The ``[1, H, seq_len_q, seq_len_k]`` float32 bias.

        Query ``i`` sits at position ``offset + i`` (``offset`` defaults to
        ``seq_len_k - seq_len_q``: the queries are the last keys, as with a KV cache).
        """
        if offset is None:
            offset = seq_len_k - seq_len_q
        q_pos = torch.arange(offset, offset + seq_len_q, device=device)[:, None]
        k_pos = torch.arange(seq_len_k, device=device)[None, :]
        distance = (q_pos - k_pos).abs().to(torch.float32)  # [q, k]
        slopes = torch.tensor(self.slopes, dtype=torch.float32, device=device)
        return (-slopes[:, None, None] * distance).unsqueeze(0)

    def extra_repr(self) -> str:
        return f"num_heads={self.num_heads}"
