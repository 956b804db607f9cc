"""Qwen 2.5 (Alibaba, 2024): the Llama recipe with biases on the query/key/value projections.

Qwen 2 and 2.5 share one architecture, so every Qwen 2.5 size fills in this one family
class. The three smallest sizes tie the head to the embedding; 7B and up do not.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset_class
from olm.nn.structure import Block

__all__ = [
    "Qwen2Model",
    "Qwen2_5_0_5B",
    "Qwen2_5_1_5B",
    "Qwen2_5_3B",
    "Qwen2_5_7B",
    "Qwen2_5_14B",
    "Qwen2_5_32B",
    "Qwen2_5_72B",
]


class Qwen2Model(Block):
    """Qwen 2: RMSNorm pre-norm layers of RoPE GQA (with q/k/v biases) and SwiGLU.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 1000000.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-6.
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
        rope_theta: float = 1000000.0,
        tie_weights: bool = True,
        dropout: float = 0.0,
        rms_norm_eps: float = 1e-6,
        rope_scaling: dict | None = None,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        super().__init__(
            gqa_decoder(
                vocab_size=vocab_size, embed_dim=embed_dim, intermediate_size=intermediate_size,
                num_layers=num_layers, num_heads=num_heads, num_kv_heads=num_kv_heads,
                max_seq_len=max_seq_len, dropout=dropout, rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights, qkv_bias=True, rope_theta=rope_theta,
                rope_scaling=rope_scaling,
            )
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
Qwen2_5_0_5B = preset_class("Qwen2_5_0_5B", Qwen2Model)
Qwen2_5_1_5B = preset_class("Qwen2_5_1_5B", Qwen2Model)
Qwen2_5_3B = preset_class("Qwen2_5_3B", Qwen2Model)
Qwen2_5_7B = preset_class("Qwen2_5_7B", Qwen2Model)
Qwen2_5_14B = preset_class("Qwen2_5_14B", Qwen2Model)
Qwen2_5_32B = preset_class("Qwen2_5_32B", Qwen2Model)
Qwen2_5_72B = preset_class("Qwen2_5_72B", Qwen2Model)
