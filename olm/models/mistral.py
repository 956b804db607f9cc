"""Mistral 7B (Mistral AI, 2023): the Llama recipe with GQA and sliding-window attention.

Each query attends to at most ``sliding_window`` previous tokens per layer; stacked
layers still carry information further back.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset_class
from olm.nn.structure import Block

__all__ = ["MistralModel", "Mistral_7B"]


class MistralModel(Block):
    """Mistral: RMSNorm pre-norm layers of sliding-window RoPE GQA and SwiGLU, no biases.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 10000.0.
        sliding_window (int | None): how many most recent tokens (itself included) a query
            may attend to; ``None`` for full causal attention. Default: 4096.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
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
        rope_theta: float = 10000.0,
        sliding_window: int | None = 4096,
        rms_norm_eps: float = 1e-5,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rope_scaling: dict | None = None,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        super().__init__(
            gqa_decoder(
                vocab_size=vocab_size, embed_dim=embed_dim, intermediate_size=intermediate_size,
                num_layers=num_layers, num_heads=num_heads, num_kv_heads=num_kv_heads,
                max_seq_len=max_seq_len, dropout=dropout, rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights, rope_theta=rope_theta,
                rope_scaling=rope_scaling, sliding_window=sliding_window,
            )
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
Mistral_7B = preset_class("Mistral_7B", MistralModel)
