"""gpt-oss (OpenAI, 2025): attention sinks, alternating sliding windows, biased MoE experts.

Layers alternate a 128-token sliding window with full attention; every head has a
learned sink logit (an "attend to nothing" option, so a head need not spend attention
on the first token). Every feed-forward is a mixture of experts with biased projections
and a clamped SwiGLU; RoPE is YaRN-scaled from 4k to 128k positions. The alternation is
one ``Repeat`` with two layer variants and the pattern ``[0, 1]``.
"""

from __future__ import annotations

from olm.models._decoder import check_heads
from olm.models._layers import check_positive, decoder_layer
from olm.models._preset import preset_class
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.moe import GptOssMoEFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block, Repeat

__all__ = ["GPTOSSModel", "GPTOSS_20B", "GPTOSS_120B"]



class GPTOSSModel(Block):
    """gpt-oss: alternating sliding-window and full RMSNorm layers of sink attention and MoE.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        num_layers (int): decoder layers (sliding and full alternate, sliding first).
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        head_dim (int): size of each head.
        max_seq_len (int): longest sequence RoPE is prepared for.
        num_experts (int): experts per layer.
        top_k (int): experts per token. Default: 4.
        expert_dim (int | None): each expert's width; None means ``embed_dim``. Default: None.
        sliding_window (int): window of the sliding layers. Default: 128.
        rope_theta (float): RoPE base. Default: 150000.0.
        rope_scaling (dict | None): Hugging Face style RoPE scaling. Default: None.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
        tie_weights (bool): share the embedding matrix with the output head. Default: False.
        dropout (float): attention and expert dropout. Default: 0.0.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        num_layers: int,
        num_heads: int,
        num_kv_heads: int,
        head_dim: int,
        max_seq_len: int,
        num_experts: int,
        top_k: int = 4,
        expert_dim: int | None = None,
        sliding_window: int = 128,
        rope_theta: float = 150000.0,
        rope_scaling: dict | None = None,
        rms_norm_eps: float = 1e-5,
        tie_weights: bool = False,
        dropout: float = 0.0,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads, head_dim=head_dim)
        check_positive(vocab_size=vocab_size, num_layers=num_layers)

        def layer(window: int | None) -> Block:
            attention = GroupedQueryAttention(
                embed_dim, num_heads, num_kv_heads, max_seq_len, head_dim=head_dim,
                dropout=dropout, rope_theta=rope_theta, use_bias=True, qkv_bias=True,
                use_attention_sink=True, sliding_window=window, rope_scaling=rope_scaling,
            )
            moe = GptOssMoEFFN(embed_dim, num_experts, top_k, hidden_dim=expert_dim,
                               dropout=dropout)
            return decoder_layer(attention, moe, lambda: RMSNorm(embed_dim, eps=rms_norm_eps))

        embedding = Embedding(vocab_size, embed_dim)
        super().__init__(
            [
                embedding,
                Repeat(
                    [lambda: layer(sliding_window), lambda: layer(None)], num_layers,
                    pattern=[0, 1],
                ),
                RMSNorm(embed_dim, eps=rms_norm_eps),
                OutputHead(
                    embed_dim, vocab_size, use_norm=False,
                    tied_embedding=embedding if tie_weights else None,
                ),
            ]
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
GPTOSS_20B = preset_class("GPTOSS_20B", GPTOSSModel)
GPTOSS_120B = preset_class("GPTOSS_120B", GPTOSSModel)
