"""OLMo 2 (Allen AI, 2024): norms after each sublayer, and QK-norm across all heads.

OLMo 2 moves the RMSNorm from before each sublayer to after it, inside the skip
(``x + norm(attention(x))``), and normalises queries and keys over their full width
before RoPE. Both changes were chosen for training stability: the paper reports far
fewer loss spikes than OLMo 1's pre-norm, non-parametric-LayerNorm recipe.
"""

from __future__ import annotations

from olm.models._decoder import check_heads
from olm.models._layers import check_positive
from olm.models._preset import preset_class
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block, Repeat, Residual

__all__ = ["OLMo2Model", "OLMo2_7B"]


class OLMo2Model(Block):
    """OLMo 2: post-sublayer RMSNorm layers of RoPE attention with full-width QK-norm, SwiGLU.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 500000.0.
        rms_norm_eps (float): epsilon of every RMSNorm, QK-norm included. Default: 1e-6.
        tie_weights (bool): share the embedding matrix with the output head. Default: False.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        intermediate_size: int,
        num_layers: int,
        num_heads: int,
        num_kv_heads: int,
        max_seq_len: int,
        rope_theta: float = 500000.0,
        rms_norm_eps: float = 1e-6,
        tie_weights: bool = False,
        dropout: float = 0.0,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        check_positive(vocab_size=vocab_size, num_layers=num_layers)

        def layer() -> Block:
            attention = GroupedQueryAttention(
                embed_dim, num_heads, num_kv_heads, max_seq_len, dropout=dropout,
                rope_theta=rope_theta, use_qk_norm=True, qk_norm_per_head=False,
                rms_norm_eps=rms_norm_eps,
            )
            ffn = SwiGLUFFN(embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False)
            return Block(
                [
                    Residual(Block([attention, RMSNorm(embed_dim, eps=rms_norm_eps)])),
                    Residual(Block([ffn, RMSNorm(embed_dim, eps=rms_norm_eps)])),
                ]
            )

        embedding = Embedding(vocab_size, embed_dim)
        super().__init__(
            [
                embedding,
                Repeat(layer, num_layers),
                RMSNorm(embed_dim, eps=rms_norm_eps),
                OutputHead(
                    embed_dim, vocab_size, use_norm=False,
                    tied_embedding=embedding if tie_weights else None,
                ),
            ]
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
OLMo2_7B = preset_class("OLMo2_7B", OLMo2Model)
