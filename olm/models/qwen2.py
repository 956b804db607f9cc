"""Qwen 2.5 (Alibaba, 2024): the Llama recipe with biases on the query/key/value projections.

Qwen 2 and 2.5 share one architecture, so every Qwen 2.5 size fills in this one family
class. The three smallest sizes tie the head to the embedding; 7B and up do not.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset
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


_QWEN = dict(family="Qwen 2.5", year=2024, hf_architecture="Qwen2ForCausalLM",
             notable="RoPE + RMSNorm + SwiGLU + GQA")


@preset(**_QWEN, params=494_032_768)
class Qwen2_5_0_5B(Qwen2Model):
    """Qwen2.5 0.5B (Qwen/Qwen2.5-0.5B): 24 layers, width 896, 2 KV heads, tied head."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=896, intermediate_size=4864, num_layers=24,
            num_heads=14, num_kv_heads=2, max_seq_len=32_768, rope_theta=1000000.0,
            tie_weights=True, rms_norm_eps=1e-6,
        )


@preset(**_QWEN, params=1_543_714_304)
class Qwen2_5_1_5B(Qwen2Model):
    """Qwen2.5 1.5B (Qwen/Qwen2.5-1.5B): 28 layers, width 1536, 2 KV heads, tied head."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=1536, intermediate_size=8960, num_layers=28,
            num_heads=12, num_kv_heads=2, max_seq_len=131_072, rope_theta=1000000.0,
            tie_weights=True, rms_norm_eps=1e-6,
        )


@preset(**_QWEN, params=3_085_938_688)
class Qwen2_5_3B(Qwen2Model):
    """Qwen2.5 3B (Qwen/Qwen2.5-3B): 36 layers, width 2048, 2 KV heads, tied head."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=2048, intermediate_size=11_008, num_layers=36,
            num_heads=16, num_kv_heads=2, max_seq_len=32_768, rope_theta=1000000.0,
            tie_weights=True, rms_norm_eps=1e-6,
        )


@preset(**_QWEN, params=7_615_616_512)
class Qwen2_5_7B(Qwen2Model):
    """Qwen2.5 7B (Qwen/Qwen2.5-7B): 28 layers, width 3584, 4 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=152_064, embed_dim=3584, intermediate_size=18_944, num_layers=28,
            num_heads=28, num_kv_heads=4, max_seq_len=131_072, rope_theta=1000000.0,
            tie_weights=False, rms_norm_eps=1e-6,
        )


@preset(**_QWEN, params=14_770_033_664)
class Qwen2_5_14B(Qwen2Model):
    """Qwen2.5 14B (Qwen/Qwen2.5-14B): 48 layers, width 5120, 8 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=152_064, embed_dim=5120, intermediate_size=13_824, num_layers=48,
            num_heads=40, num_kv_heads=8, max_seq_len=131_072, rope_theta=1000000.0,
            tie_weights=False, rms_norm_eps=1e-5,
        )


@preset(**_QWEN, params=32_763_876_352)
class Qwen2_5_32B(Qwen2Model):
    """Qwen2.5 32B (Qwen/Qwen2.5-32B): 64 layers, width 5120, 8 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=152_064, embed_dim=5120, intermediate_size=27_648, num_layers=64,
            num_heads=40, num_kv_heads=8, max_seq_len=131_072, rope_theta=1000000.0,
            tie_weights=False, rms_norm_eps=1e-5,
        )


@preset(**_QWEN, params=72_706_203_648)
class Qwen2_5_72B(Qwen2Model):
    """Qwen2.5 72B (Qwen/Qwen2.5-72B): 80 layers, width 8192, 8 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=152_064, embed_dim=8192, intermediate_size=29_568, num_layers=80,
            num_heads=64, num_kv_heads=8, max_seq_len=131_072, rope_theta=1000000.0,
            tie_weights=False, rms_norm_eps=1e-5,
        )
