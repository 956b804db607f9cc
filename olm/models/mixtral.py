"""Mixtral 8x7B (Mistral AI, 2023): Mistral's layers with a sparse mixture of SwiGLU experts.

Each token is routed to the top 2 of 8 expert feed-forwards, so the model holds ~47B
parameters but computes with ~13B per token. The published 8x7B config disables the
sliding window (full causal attention), so the preset passes ``sliding_window=None``.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, rms_decoder, rope_gqa
from olm.models._layers import check_positive
from olm.models._preset import preset_class
from olm.nn.feedforward.swiglu_moe import SwiGLUMoEFFN
from olm.nn.structure import Block

__all__ = ["MixtralModel", "Mixtral_8x7B"]


class MixtralModel(Block):
    """Mixtral: RMSNorm pre-norm layers of RoPE GQA and a top-k SwiGLU mixture of experts.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): hidden width of each SwiGLU expert.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        num_experts (int): experts per layer. Default: 8.
        top_k (int): experts each token is routed to. Default: 2.
        rope_theta (float): RoPE base. Default: 1000000.0.
        sliding_window (int | None): attention window, or ``None`` for full causal
            attention. Default: None.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
        dropout (float): attention and expert dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        aux_loss_coef (float): weight of the load-balancing loss each MoE layer reports.
            Default: 0.01.
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
        num_experts: int = 8,
        top_k: int = 2,
        rope_theta: float = 1000000.0,
        sliding_window: int | None = None,
        rms_norm_eps: float = 1e-5,
        dropout: float = 0.0,
        tie_weights: bool = True,
        aux_loss_coef: float = 0.01,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        check_positive(num_experts=num_experts, top_k=top_k)
        super().__init__(
            rms_decoder(
                vocab_size=vocab_size,
                embed_dim=embed_dim,
                num_layers=num_layers,
                attention=lambda: rope_gqa(
                    embed_dim, num_heads, num_kv_heads, max_seq_len,
                    rope_theta=rope_theta, sliding_window=sliding_window, dropout=dropout,
                ),
                ffn=lambda: SwiGLUMoEFFN(
                    embed_dim, num_experts=num_experts, top_k=top_k,
                    hidden_dim=intermediate_size, dropout=dropout, bias=False,
                    aux_loss_coef=aux_loss_coef,
                ),
                rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights,
            )
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
Mixtral_8x7B = preset_class("Mixtral_8x7B", MixtralModel)
