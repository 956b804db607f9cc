"""OLMo (Allen AI, 2024): a fully open Llama-style model with parameter-free LayerNorms.

Its norms have no scale or shift at all (``LayerNorm(elementwise_affine=False)``) and no
linear layer has a bias. The Hugging Face checkpoint (allenai/OLMo-7B-hf) stores the MLP
hidden width as 11008 and pads the vocabulary to 50304.
"""

from __future__ import annotations

from olm.models._decoder import check_heads
from olm.models._layers import check_positive, decoder_layer
from olm.models._preset import preset_class
from olm.nn.attention import FlashAttentionwithRoPE
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import LayerNorm
from olm.nn.structure import Block, Repeat

__all__ = ["OLMoModel", "OLMo_7B"]


class OLMoModel(Block):
    """OLMo: non-affine LayerNorm pre-norm layers of RoPE attention and SwiGLU, no biases.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): SwiGLU hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): attention heads; must divide ``embed_dim``.
        max_seq_len (int): longest sequence RoPE is prepared for. Default: 2048.
        dropout (float): attention and feed-forward dropout. Default: 0.0.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        rope_theta (float): RoPE base. Default: 10000.0.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        intermediate_size: int,
        num_layers: int,
        num_heads: int,
        max_seq_len: int = 2048,
        dropout: float = 0.0,
        tie_weights: bool = True,
        rope_theta: float = 10000.0,
    ) -> None:
        check_heads(embed_dim, num_heads)
        check_positive(vocab_size=vocab_size, num_layers=num_layers)

        def norm() -> LayerNorm:
            return LayerNorm(embed_dim, elementwise_affine=False)

        def layer() -> Block:
            return decoder_layer(
                FlashAttentionwithRoPE(
                    embed_dim, num_heads, max_seq_len, dropout=dropout, causal=True,
                    bias=False, rope_theta=rope_theta,
                ),
                SwiGLUFFN(embed_dim, hidden_dim=intermediate_size, dropout=dropout, bias=False),
                norm,
            )

        embedding = Embedding(vocab_size, embed_dim)
        super().__init__([
            embedding,
            Repeat(layer, num_layers),
            norm(),
            OutputHead(
                embed_dim, vocab_size, use_norm=False,
                tied_embedding=embedding if tie_weights else None,
            ),
        ])


# The presets: each is a row of olm.models.table (published numbers, year, size).
OLMo_7B = preset_class("OLMo_7B", OLMoModel)
