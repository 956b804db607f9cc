"""Qwen 3 (Alibaba, 2025): the Llama recipe with QK-norm, and a fine-grained MoE variant.

Qwen 3 drops Qwen 2's query/key/value biases and instead normalises every query and key
head with its own RMSNorm before RoPE (QK-norm), which keeps attention logits bounded as
training goes on. Heads have an explicit size (128) that need not divide the width.
Qwen3-MoE routes each token to 8 of 128 small SwiGLU experts (softmax over all experts,
keep the top k, renormalise), with no shared expert.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder, rms_decoder, rope_gqa
from olm.models._layers import check_positive
from olm.models._preset import preset
from olm.nn.feedforward.swiglu_moe import SwiGLUMoEFFN
from olm.nn.structure import Block

__all__ = [
    "Qwen3Model",
    "Qwen3MoeModel",
    "Qwen3_0_6B",
    "Qwen3_8B",
    "Qwen3_32B",
    "Qwen3_30B_A3B",
]


class Qwen3Model(Block):
    """Qwen 3: RMSNorm pre-norm layers of RoPE GQA with per-head QK-norm, and SwiGLU.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        head_dim (int): size of each head (128 in every published size).
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 1000000.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        rms_norm_eps (float): epsilon of every RMSNorm, QK-norm included. Default: 1e-6.
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
        head_dim: int,
        max_seq_len: int,
        rope_theta: float = 1000000.0,
        tie_weights: bool = True,
        dropout: float = 0.0,
        rms_norm_eps: float = 1e-6,
        rope_scaling: dict | None = None,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads, head_dim=head_dim)
        super().__init__(
            gqa_decoder(
                vocab_size=vocab_size, embed_dim=embed_dim, intermediate_size=intermediate_size,
                num_layers=num_layers, num_heads=num_heads, num_kv_heads=num_kv_heads,
                max_seq_len=max_seq_len, dropout=dropout, rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights, head_dim=head_dim, use_qk_norm=True,
                rope_theta=rope_theta, rope_scaling=rope_scaling,
            )
        )


class Qwen3MoeModel(Block):
    """Qwen 3 MoE: Qwen 3's QK-norm attention with a top-k mixture of small SwiGLU experts.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        expert_dim (int): hidden width of each SwiGLU expert (``moe_intermediate_size``).
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        head_dim (int): size of each head.
        max_seq_len (int): longest sequence RoPE is prepared for.
        num_experts (int): routed experts per layer. Default: 128.
        top_k (int): experts each token is routed to. Default: 8.
        rope_theta (float): RoPE base. Default: 1000000.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: False.
        dropout (float): attention and expert dropout. Default: 0.0.
        rms_norm_eps (float): epsilon of every RMSNorm, QK-norm included. Default: 1e-6.
        aux_loss_coef (float): weight of the load-balancing loss each MoE layer reports.
            Default: 0.001.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        expert_dim: int,
        num_layers: int,
        num_heads: int,
        num_kv_heads: int,
        head_dim: int,
        max_seq_len: int,
        num_experts: int = 128,
        top_k: int = 8,
        rope_theta: float = 1000000.0,
        tie_weights: bool = False,
        dropout: float = 0.0,
        rms_norm_eps: float = 1e-6,
        aux_loss_coef: float = 0.001,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads, head_dim=head_dim)
        check_positive(num_experts=num_experts, top_k=top_k, expert_dim=expert_dim)
        super().__init__(
            rms_decoder(
                vocab_size=vocab_size,
                embed_dim=embed_dim,
                num_layers=num_layers,
                attention=lambda: rope_gqa(
                    embed_dim, num_heads, num_kv_heads, max_seq_len, head_dim=head_dim,
                    use_qk_norm=True, rms_norm_eps=rms_norm_eps, rope_theta=rope_theta,
                    dropout=dropout,
                ),
                ffn=lambda: SwiGLUMoEFFN(
                    embed_dim, num_experts=num_experts, top_k=top_k, hidden_dim=expert_dim,
                    dropout=dropout, bias=False, aux_loss_coef=aux_loss_coef,
                ),
                rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights,
            )
        )


_QWEN3 = dict(family="Qwen 3", year=2025, hf_architecture="Qwen3ForCausalLM",
              notable="Llama recipe + QK-norm (per-head RMSNorm on queries and keys), no biases")


@preset(**_QWEN3, params=596_049_920)
class Qwen3_0_6B(Qwen3Model):
    """Qwen3 0.6B (Qwen/Qwen3-0.6B): 28 layers, width 1024, 16 heads of 128, 8 KV heads, tied."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=1024, intermediate_size=3072, num_layers=28,
            num_heads=16, num_kv_heads=8, head_dim=128, max_seq_len=40_960,
            rope_theta=1000000.0, tie_weights=True, rms_norm_eps=1e-6,
        )


@preset(**_QWEN3, params=8_190_735_360)
class Qwen3_8B(Qwen3Model):
    """Qwen3 8B (Qwen/Qwen3-8B): 36 layers, width 4096, 32 heads, 8 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=4096, intermediate_size=12_288, num_layers=36,
            num_heads=32, num_kv_heads=8, head_dim=128, max_seq_len=40_960,
            rope_theta=1000000.0, tie_weights=False, rms_norm_eps=1e-6,
        )


@preset(**_QWEN3, params=32_762_123_264)
class Qwen3_32B(Qwen3Model):
    """Qwen3 32B (Qwen/Qwen3-32B): 64 layers, width 5120, 64 heads of 128, 8 KV heads."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=5120, intermediate_size=25_600, num_layers=64,
            num_heads=64, num_kv_heads=8, head_dim=128, max_seq_len=40_960,
            rope_theta=1000000.0, tie_weights=False, rms_norm_eps=1e-6,
        )


@preset(family="Qwen 3 MoE", year=2025, hf_architecture="Qwen3MoeForCausalLM",
        notable="QK-norm + fine-grained MoE: 128 small experts, top-8, normalised softmax",
        params=30_532_122_624)
class Qwen3_30B_A3B(Qwen3MoeModel):
    """Qwen3 30B-A3B (Qwen/Qwen3-30B-A3B): 48 layers, 128 experts of width 768, top-8."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=151_936, embed_dim=2048, expert_dim=768, num_layers=48,
            num_heads=32, num_kv_heads=4, head_dim=128, max_seq_len=40_960,
            num_experts=128, top_k=8, rope_theta=1000000.0, tie_weights=False,
            rms_norm_eps=1e-6,
        )
