"""GPT-2 (OpenAI, 2019): the baseline every later recipe modifies.

Learned absolute positions, pre-norm LayerNorm, multi-head attention with biases and a
GELU (tanh approximation) MLP four times the width; a final LayerNorm, and an output head
that reuses the token embedding.
"""

from __future__ import annotations

from olm.models._decoder import check_heads
from olm.models._layers import check_positive, decoder_layer
from olm.models._preset import preset_class
from olm.nn.attention import FlashAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import AbsolutePositionalEmbedding, Embedding
from olm.nn.feedforward import ClassicFFN
from olm.nn.norms import LayerNorm
from olm.nn.structure import Block, Repeat

__all__ = ["GPT2Model", "GPT2", "GPT2Medium", "GPT2Large", "GPT2XL"]


class GPT2Model(Block):
    """GPT-2: learned positions, pre-norm LayerNorm, biased MHA and a GELU MLP.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        num_layers (int): number of decoder layers.
        num_heads (int): attention heads; must divide ``embed_dim``.
        max_seq_len (int): number of learned position slots (the context length).
        dropout (float): embedding, attention and MLP dropout. Default: 0.1.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        layer_norm_eps (float): LayerNorm epsilon. Default: 1e-5.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        num_layers: int,
        num_heads: int,
        max_seq_len: int,
        dropout: float = 0.1,
        tie_weights: bool = True,
        layer_norm_eps: float = 1e-5,
    ) -> None:
        check_heads(embed_dim, num_heads)
        check_positive(vocab_size=vocab_size, num_layers=num_layers, max_seq_len=max_seq_len)

        def layer() -> Block:
            return decoder_layer(
                FlashAttention(embed_dim, num_heads, dropout=dropout, causal=True),
                ClassicFFN(
                    embed_dim, hidden_dim=4 * embed_dim, activation_fn="gelu_tanh",
                    dropout=dropout,
                ),
                lambda: LayerNorm(embed_dim, eps=layer_norm_eps),
            )

        # Laid out like the later families ([embedding, layers, final norm, head]) so that
        # turning GPT-2 into Llama 3 is only part swaps plus deleting the positions.
        embedding = Embedding(vocab_size, embed_dim)
        super().__init__([
            embedding,
            AbsolutePositionalEmbedding(max_seq_len, embed_dim, dropout=dropout),
            Repeat(layer, num_layers),
            LayerNorm(embed_dim, eps=layer_norm_eps),
            OutputHead(
                embed_dim, vocab_size, tied_embedding=embedding if tie_weights else None,
                use_norm=False,
            ),
        ])


# The presets: each is a row of olm.models.table (published numbers, year, size).
GPT2 = preset_class("GPT2", GPT2Model)
GPT2Medium = preset_class("GPT2Medium", GPT2Model)
GPT2Large = preset_class("GPT2Large", GPT2Model)
GPT2XL = preset_class("GPT2XL", GPT2Model)
