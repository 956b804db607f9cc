"""Llama 3 (Meta, 2024): GQA on every size, a 128k vocabulary, RoPE theta 500000.

Llama 3.1 adds the "llama3" RoPE frequency scaling that stretches the 8k training
context to 128k; Llama 3.2's small models use it too (factor 32) and tie the head to
the embedding.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset
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


def llama3_rope_scaling(factor: float) -> dict:
    """Llama 3.1's "llama3" RoPE scaling (as in its config.json), with the given factor."""
    return {
        "rope_type": "llama3",
        "factor": factor,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    }


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


_LLAMA3 = dict(family="Llama 3", year=2024, hf_architecture="LlamaForCausalLM",
               notable="GQA across all sizes, much larger (128k) vocabulary")


@preset(**_LLAMA3, params=8_030_261_248)
class Llama3_1_8B(Llama3Model):
    """Llama 3.1 8B (meta-llama/Llama-3.1-8B): 32 layers, width 4096, 8 KV heads, 128k context."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=128_256, embed_dim=4096, intermediate_size=14_336, num_layers=32,
            num_heads=32, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
            rope_scaling=llama3_rope_scaling(8.0), rms_norm_eps=1e-5, tie_weights=False,
        )


@preset(**_LLAMA3, params=70_553_706_496)
class Llama3_1_70B(Llama3Model):
    """Llama 3.1 70B (meta-llama/Llama-3.1-70B): 80 layers, width 8192, 8 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=128_256, embed_dim=8192, intermediate_size=28_672, num_layers=80,
            num_heads=64, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
            rope_scaling=llama3_rope_scaling(8.0), rms_norm_eps=1e-5, tie_weights=False,
        )


@preset(**_LLAMA3, params=405_853_388_800)
class Llama3_1_405B(Llama3Model):
    """Llama 3.1 405B (meta-llama/Llama-3.1-405B): 126 layers, width 16384, 128 heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=128_256, embed_dim=16_384, intermediate_size=53_248, num_layers=126,
            num_heads=128, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
            rope_scaling=llama3_rope_scaling(8.0), rms_norm_eps=1e-5, tie_weights=False,
        )


@preset(**_LLAMA3, params=1_235_814_400)
class Llama3_2_1B(Llama3Model):
    """Llama 3.2 1B (meta-llama/Llama-3.2-1B): 16 layers, width 2048, tied head."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=128_256, embed_dim=2048, intermediate_size=8192, num_layers=16,
            num_heads=32, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
            rope_scaling=llama3_rope_scaling(32.0), rms_norm_eps=1e-5, tie_weights=True,
        )


@preset(**_LLAMA3, params=3_212_749_824)
class Llama3_2_3B(Llama3Model):
    """Llama 3.2 3B (meta-llama/Llama-3.2-3B): 28 layers, width 3072, 24 heads, tied head."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=128_256, embed_dim=3072, intermediate_size=8192, num_layers=28,
            num_heads=24, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
            rope_scaling=llama3_rope_scaling(32.0), rms_norm_eps=1e-5, tie_weights=True,
        )
