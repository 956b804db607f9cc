"""Mistral 7B (Mistral AI, 2023): the Llama recipe with GQA and sliding-window attention.

Each query attends to at most ``sliding_window`` previous tokens per layer; stacked
layers still carry information further back.
"""

from __future__ import annotations

from olm.models._decoder import check_heads, gqa_decoder
from olm.models._preset import preset
from olm.nn.structure import Block

__all__ = ["MistralModel", "Mistral_7B"]


class MistralModel(Block):
    """Mistral: RMSNorm pre-norm layers of sliding-window RoPE GQA and SwiGLU, no biases.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): query heads.
        num_kv_heads (int): key/value heads; must divide ``num_heads``.
        max_seq_len (int): longest sequence RoPE is prepared for.
        rope_theta (float): RoPE base. Default: 10000.0.
        sliding_window (int | None): how many most recent tokens (itself included) a query
            may attend to; ``None`` for full causal attention. Default: 4096.
        rms_norm_eps (float): RMSNorm epsilon. Default: 1e-5.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
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
        sliding_window: int | None = 4096,
        rms_norm_eps: float = 1e-5,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rope_scaling: dict | None = None,
    ) -> None:
        check_heads(embed_dim, num_heads, num_kv_heads)
        super().__init__(
            gqa_decoder(
                vocab_size=vocab_size, embed_dim=embed_dim, intermediate_size=intermediate_size,
                num_layers=num_layers, num_heads=num_heads, num_kv_heads=num_kv_heads,
                max_seq_len=max_seq_len, dropout=dropout, rms_norm_eps=rms_norm_eps,
                tie_weights=tie_weights, rope_theta=rope_theta,
                rope_scaling=rope_scaling, sliding_window=sliding_window,
            )
        )


@preset(family="Mistral", year=2023, hf_architecture="MistralForCausalLM",
        notable="GQA + sliding-window attention", params=7_241_732_096)
class Mistral_7B(MistralModel):
    """Mistral 7B v0.1 (mistralai/Mistral-7B-v0.1): 32 layers, 8 KV heads, 4096-token window."""

    def __init__(self) -> None:
        super().__init__(
            vocab_size=32_000, embed_dim=4096, intermediate_size=14_336, num_layers=32,
            num_heads=32, num_kv_heads=8, max_seq_len=32_768, rope_theta=10000.0,
            sliding_window=4096, rms_norm_eps=1e-5, tie_weights=False,
        )
