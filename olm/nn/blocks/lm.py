"""`LM`: a complete small language model from `TransformerBlock` layers."""

from __future__ import annotations

from olm.core.validation import check_positive_int
from olm.nn.blocks.output_head import OutputHead
from olm.nn.blocks.transformer_block import TransformerBlock
from olm.nn.structure import Block, Repeat

__all__ = ["LM"]


class LM(Block):
    """Token ids ``[B, N]`` to logits ``[B, N, V]``: embedding, layers, output head.

    ``Block([Embedding, Repeat(TransformerBlock, num_layers), OutputHead])``; the head's
    final LayerNorm and projection use the embedding table when ``tie_embeddings``.

    Args:
        vocab_size (int): number of token ids ``V``.
        embed_dim (int): model width ``D``.
        num_heads (int): attention heads per layer.
        num_layers (int): number of transformer layers.
        max_seq_len (int): longest sequence the rotary embedding is prepared for.
        dropout (float): dropout inside each layer. Default: 0.0.
        causal (bool): causal self-attention. Default: True.
        ff_multiplier (float): SwiGLU width ratio. Default: 2.5.
        tie_embeddings (bool): share the embedding table with the output projection.
            Default: True.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        num_heads: int,
        num_layers: int,
        max_seq_len: int,
        dropout: float = 0.0,
        causal: bool = True,
        ff_multiplier: float = 2.5,
        tie_embeddings: bool = True,
    ) -> None:
        # Imported here so olm.nn.blocks does not pull in embeddings at import time.
        from olm.nn.embeddings import Embedding

        check_positive_int("LM", "num_layers", num_layers)
        embedding = Embedding(vocab_size, embed_dim)
        layers = Repeat(
            lambda: TransformerBlock(
                embed_dim, num_heads, max_seq_len, dropout, causal, ff_multiplier
            ),
            num_layers,
        )
        head = OutputHead(
            embed_dim, vocab_size, tied_embedding=embedding if tie_embeddings else None
        )
        super().__init__([embedding, layers, head])
