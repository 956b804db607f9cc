"""`TransformerBlock`: a pre-norm RoPE attention + SwiGLU layer, ready-made."""

from __future__ import annotations

from olm.core.validation import check_positive
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import LayerNorm
from olm.nn.structure import Block, Residual

__all__ = ["TransformerBlock"]


class TransformerBlock(Block):
    """One pre-norm transformer layer built from the standard parts.

    ``x + attn(LN(x))`` with ``FlashAttentionwithRoPE``, then ``x + SwiGLU(LN(x))``. It is a
    ``Block`` of those parts, so the graph can show and edit what is inside.

    Args:
        embed_dim (int): model width ``D``.
        num_heads (int): attention heads (must divide ``embed_dim``).
        max_seq_len (int): longest sequence the rotary embedding is prepared for.
        dropout (float): dropout in attention and on the feed-forward output. Default: 0.0.
        causal (bool): causal self-attention (True for language models). Default: False.
        ff_multiplier (float): SwiGLU width ``int(ff_multiplier * embed_dim)``. Default: 2.5.
    """

    family = "model"

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        max_seq_len: int,
        dropout: float = 0.0,
        causal: bool = False,
        ff_multiplier: float = 2.5,
    ) -> None:
        # Imported here so olm.nn.blocks does not pull in attention at import time.
        from olm.nn.attention import FlashAttentionwithRoPE

        check_positive("TransformerBlock", "ff_multiplier", ff_multiplier)
        attention = FlashAttentionwithRoPE(
            embed_dim, num_heads, max_seq_len, dropout=dropout, causal=causal
        )
        ffn = SwiGLUFFN(embed_dim, hidden_dim=int(ff_multiplier * embed_dim), dropout=dropout)
        layer = Block(
            [
                Residual(Block([LayerNorm(embed_dim), attention])),
                Residual(Block([LayerNorm(embed_dim), ffn])),
            ]
        )
        super().__init__([layer])
