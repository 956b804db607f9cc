"""Phi-4 (Microsoft, 2024): a 14B Llama-style decoder with GQA and a 100k vocabulary."""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset_class
from olm.nn.structure import Block

__all__ = ["Phi4Model", "Phi4_14B"]


class Phi4Model(Block):
    """Phi-4: RMSNorm pre-norm layers of RoPE GQA and SwiGLU, no biases.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 250000.0.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
        rope_scaling (dict | None): RoPE frequency scaling in Hugging Face form. Default: None.
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
        rope_theta: float = 250000.0,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rms_norm_eps: float = 1e-5,
        rope_scaling: dict | None = None,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        super().__init__(
            gqa_decoder(
                vocab_size=vocab_size, embed_dim=embed_dim, intermediate_size=intermediate_size,
                num_layers=num_layers, num_heads=num_heads, num_kv_heads=num_kv_heads,
                max_seq_len=max_seq_len, dropout=dropout, rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights, rope_theta=rope_theta, rope_scaling=rope_scaling,
            )
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
Phi4_14B = preset_class("Phi4_14B", Phi4Model)
