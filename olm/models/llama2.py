"""Llama 2 (Meta, 2023): the Llama recipe (RoPE + RMSNorm + SwiGLU, no biases), GQA on 70B.

The smaller sizes keep one key/value head per query head, so they use plain multi-head
attention with RoPE; only when ``num_kv_heads < num_heads`` is grouped-query attention
the right component.
"""

from __future__ import annotations

from torch import nn

from olm.models._decoder import check_heads, rms_decoder, rope_gqa
from olm.models._preset import preset_class
from olm.nn.attention import FlashAttentionwithRoPE
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.structure import Block

__all__ = ["Llama2Model", "Llama2_7B", "Llama2_13B", "Llama2_70B"]


class Llama2Model(Block):
    """Llama 2: RMSNorm pre-norm layers of RoPE attention (MHA or GQA) and SwiGLU, no biases.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; equal to ``num_heads`` for multi-head attention.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 10000.0.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
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
        rope_theta: float = 10000.0,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rms_norm_eps: float = 1e-5,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)

        def attention() -> nn.Module:
            if num_kv_heads == num_heads:
                return FlashAttentionwithRoPE(
                    embed_dim, num_heads, max_seq_len, dropout=dropout, causal=True,
                    bias=False, rope_theta=rope_theta,
                )
            return rope_gqa(
                embed_dim, num_heads, num_kv_heads, max_seq_len,
                rope_theta=rope_theta, dropout=dropout,
            )

        super().__init__(
            rms_decoder(
                vocab_size=vocab_size,
                embed_dim=embed_dim,
                num_layers=num_layers,
                attention=attention,
                ffn=lambda: SwiGLUFFN(
                    embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False
                ),
                rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights,
            )
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
Llama2_7B = preset_class("Llama2_7B", Llama2Model)
Llama2_13B = preset_class("Llama2_13B", Llama2Model)
Llama2_70B = preset_class("Llama2_70B", Llama2Model)
