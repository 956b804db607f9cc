"""Llama 3 (Meta, 2024): GQA on every size, a 128k vocabulary, RoPE theta 500000.

Llama 3.1 adds the "llama3" RoPE frequency scaling that stretches the 8k training
context to 128k; Llama 3.2's small models use it too (factor 32) and tie the head to
the embedding.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset_class
from olm.models.table import llama3_rope_scaling
from olm.nn.structure import Block

__all__ = [
    "Llama3Model",
    "llama3_rope_scaling",
    "Llama3_1_8B",
    "Llama3_1_70B",
    "Llama3_1_405B",
    "Llama3_2_1B",
    "Llama3_2_3B",
]


class Llama3Model(Block):
    """Llama 3: RMSNorm pre-norm layers of RoPE grouped-query attention and SwiGLU, no biases.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads (GQA); must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 500000.0.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rope_scaling (dict | None): RoPE frequency scaling in Hugging Face form, e.g.
            ``{"rope_type": "llama3", "factor": 8.0, ...}``. Default: None.
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
        rope_theta: float = 500000.0,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rope_scaling: dict | None = None,
        rms_norm_eps: float = 1e-5,
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
Llama3_1_8B = preset_class("Llama3_1_8B", Llama3Model)
Llama3_1_70B = preset_class("Llama3_1_70B", Llama3Model)
Llama3_1_405B = preset_class("Llama3_1_405B", Llama3Model)
Llama3_2_1B = preset_class("Llama3_2_1B", Llama3Model)
Llama3_2_3B = preset_class("Llama3_2_3B", Llama3Model)
