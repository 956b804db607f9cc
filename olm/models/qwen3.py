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
from olm.models._preset import preset_class
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


# The presets: each is a row of olm.models.table (published numbers, year, size).
Qwen3_0_6B = preset_class("Qwen3_0_6B", Qwen3Model)
Qwen3_8B = preset_class("Qwen3_8B", Qwen3Model)
Qwen3_32B = preset_class("Qwen3_32B", Qwen3Model)
Qwen3_30B_A3B = preset_class("Qwen3_30B_A3B", Qwen3MoeModel)
