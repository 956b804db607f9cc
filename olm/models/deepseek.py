"""DeepSeek-V2 and V3 (DeepSeek, 2024): latent attention and fine-grained MoE, first layers dense.

Every layer attends with multi-head latent attention (MLA), whose KV cache holds a small
latent instead of per-head keys and values. The feed-forwards are DeepSeekMoE: many
small routed experts plus shared ones. The first ``first_dense_layers`` layers keep a
dense SwiGLU, so the stack is two ``Repeat``s: the dense layers, then the MoE layers.
V3 routes with sigmoid scores over expert groups and balances load with a score bias
instead of an auxiliary loss; V2 routes with a softmax.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from olm.models._layers import check_positive, decoder_layer
from olm.models._preset import preset_class
from olm.nn.attention import MultiHeadLatentAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.moe import DeepSeekMoEFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block, Repeat

__all__ = ["DeepSeekModel", "DeepSeekV2_Lite", "DeepSeekV3", "yarn_attention_scale"]


def yarn_attention_scale(head_dim: int, rope_scaling: dict[str, Any] | None) -> float | None:
    """DeepSeek's softmax scale under YaRN: ``head_dim ** -0.5 * m ** 2`` with
    ``m = 0.1 * mscale_all_dim * ln(factor) + 1``; None when it is the plain scale."""
    if not rope_scaling or rope_scaling.get("rope_type") != "yarn":
        return None
    factor, all_dim = rope_scaling.get("factor", 1.0), rope_scaling.get("mscale_all_dim")
    if not all_dim or factor <= 1:
        return None
    m = 0.1 * all_dim * math.log(factor) + 1.0
    return head_dim**-0.5 * m * m


class DeepSeekModel(Block):
    """DeepSeek-V2/V3: RMSNorm pre-norm layers of latent attention, dense then MoE feed-forwards.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        num_layers (int): decoder layers in all.
        num_heads (int): attention heads.
        max_seq_len (int): longest sequence RoPE is prepared for.
        kv_lora_rank (int): width of the compressed key/value latent.
        intermediate_size (int): SwiGLU width of the dense layers.
        expert_dim (int): SwiGLU width of each routed expert.
        num_experts (int): routed experts per MoE layer.
        top_k (int): routed experts per token.
        num_shared_experts (int): shared experts per MoE layer. Default: 1.
        first_dense_layers (int): leading layers with a dense feed-forward. Default: 1.
        q_lora_rank (int | None): rank of the low-rank query projection. Default: None.
        qk_nope_head_dim (int): per-head query/key width without positions. Default: 128.
        qk_rope_head_dim (int): per-head rotated query/key width. Default: 64.
        v_head_dim (int): per-head value width. Default: 128.
        scoring (str): expert scores, "sigmoid" (V3) or "softmax" (V2). Default: "sigmoid".
        num_groups (int): expert groups for group-limited routing. Default: 1.
        topk_groups (int): groups each token may use. Default: 1.
        normalize_top_k (bool): renormalise the chosen experts' weights. Default: True.
        routed_scaling_factor (float): multiplies the routed weights. Default: 1.0.
        bias_balancing (bool): auxiliary-loss-free load balancing. Default: True.
        rope_theta (float): RoPE base. Default: 10000.0.
        rope_scaling (dict | None): Hugging Face style RoPE scaling (YaRN). Default: None.
        rms_norm_eps (float): epsilon of every RMSNorm. Default: 1e-6.
        tie_weights (bool): share the embedding matrix with the output head. Default: False.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        num_layers: int,
        num_heads: int,
        max_seq_len: int,
        kv_lora_rank: int,
        intermediate_size: int,
        expert_dim: int,
        num_experts: int,
        top_k: int,
        num_shared_experts: int = 1,
        first_dense_layers: int = 1,
        q_lora_rank: int | None = None,
        qk_nope_head_dim: int = 128,
        qk_rope_head_dim: int = 64,
        v_head_dim: int = 128,
        scoring: Literal["sigmoid", "softmax"] = "sigmoid",
        num_groups: int = 1,
        topk_groups: int = 1,
        normalize_top_k: bool = True,
        routed_scaling_factor: float = 1.0,
        bias_balancing: bool = True,
        rope_theta: float = 10000.0,
        rope_scaling: dict | None = None,
        rms_norm_eps: float = 1e-6,
        tie_weights: bool = False,
        dropout: float = 0.0,
    ) -> None:
        check_positive(vocab_size=vocab_size, num_layers=num_layers)
        if not 0 <= first_dense_layers <= num_layers:
            raise ValueError(
                f"first_dense_layers {first_dense_layers} must be between 0 and num_layers "
                f"{num_layers}"
            )
        scale = yarn_attention_scale(qk_nope_head_dim + qk_rope_head_dim, rope_scaling)

        def attention() -> MultiHeadLatentAttention:
            return MultiHeadLatentAttention(
                embed_dim, num_heads, max_seq_len, kv_lora_rank=kv_lora_rank,
                qk_nope_head_dim=qk_nope_head_dim, qk_rope_head_dim=qk_rope_head_dim,
                v_head_dim=v_head_dim, q_lora_rank=q_lora_rank, rope_theta=rope_theta,
                rope_scaling=rope_scaling, attention_scale=scale, rms_norm_eps=rms_norm_eps,
                dropout=dropout,
            )

        def norm() -> RMSNorm:
            return RMSNorm(embed_dim, eps=rms_norm_eps)

        def dense_layer() -> Block:
            ffn = SwiGLUFFN(embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False)
            return decoder_layer(attention(), ffn, norm)

        def moe_layer() -> Block:
            ffn = DeepSeekMoEFFN(
                embed_dim, num_experts, top_k, hidden_dim=expert_dim,
                num_shared_experts=num_shared_experts, scoring=scoring, num_groups=num_groups,
                topk_groups=topk_groups, normalize_top_k=normalize_top_k,
                routed_scaling_factor=routed_scaling_factor, bias_balancing=bias_balancing,
                dropout=dropout,
            )
            return decoder_layer(attention(), ffn, norm)

        embedding = Embedding(vocab_size, embed_dim)
        stack = []
        if first_dense_layers:
            stack.append(Repeat(dense_layer, first_dense_layers))
        if num_layers > first_dense_layers:
            stack.append(Repeat(moe_layer, num_layers - first_dense_layers))
        super().__init__(
            [
                embedding,
                *stack,
                norm(),
                OutputHead(
                    embed_dim, vocab_size, use_norm=False,
                    tied_embedding=embedding if tie_weights else None,
                ),
            ]
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
DeepSeekV2_Lite = preset_class("DeepSeekV2_Lite", DeepSeekModel)
DeepSeekV3 = preset_class("DeepSeekV3", DeepSeekModel)
