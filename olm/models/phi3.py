"""Phi-3 / Phi-3.5 (Microsoft, 2024): the Llama recipe at small size, trained on curated data.

Architecturally Phi-3.5-mini is a Llama-style decoder (RoPE multi-head attention, RMSNorm,
SwiGLU, no biases, untied head) with a 32k vocabulary; Hugging Face fuses its q/k/v and
gate/up projections, which changes no parameter count.
"""

from __future__ import annotations

from typing import Literal

from olm.core.errors import ConfigError
from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset_class
from olm.nn.feedforward import GeGLUFFN, SwiGLUFFN
from olm.nn.structure import Block

__all__ = ["Phi3Model", "Phi3_5_Mini"]

_GATED_FFNS = {"swiglu": SwiGLUFFN, "geglu": GeGLUFFN}


class Phi3Model(Block):
    """Phi-3: RMSNorm pre-norm layers of RoPE attention (MHA or GQA) and a gated MLP.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): gated MLP hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 10000.0.
        activation (str): "swiglu" or "geglu" gated MLP. Default: "swiglu".
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
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
        activation: Literal["swiglu", "geglu"] = "swiglu",
        dropout: float = 0.0,
        tie_weights: bool = True,
        rms_norm_eps: float = 1e-5,
        rope_scaling: dict | None = None,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        if activation not in _GATED_FFNS:
            raise ConfigError(
                f"activation must be one of {sorted(_GATED_FFNS)}, got {activation!r}"
            )
        ffn_cls = _GATED_FFNS[activation]
        super().__init__(
            gqa_decoder(
                vocab_size=vocab_size, embed_dim=embed_dim, intermediate_size=intermediate_size,
                num_layers=num_layers, num_heads=num_heads, num_kv_heads=num_kv_heads,
                max_seq_len=max_seq_len, dropout=dropout, rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights, ffn_cls=ffn_cls, rope_theta=rope_theta,
                rope_scaling=rope_scaling,
            )
        )


# The presets: each is a row of olm.models.table (published numbers, year, size).
Phi3_5_Mini = preset_class("Phi3_5_Mini", Phi3Model)
