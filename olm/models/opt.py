"""OPT (Meta, 2022): an open GPT-3-style decoder — learned positions, ReLU MLP, biases.

OPT's learned position table has two extra rows: Hugging Face's ``OPTLearnedPositionalEmbedding``
looks up position ``p`` at row ``p + 2`` (a leftover from fairseq's padding offset), so the
published checkpoint has ``max_seq_len + 2`` rows. They are kept so the parameter count
matches the checkpoint exactly. Here position ``p`` uses row ``p``, so loading a checkpoint
rolls the table up by two (``torch.roll(w, -2, 0)``): HF row ``p + 2`` becomes row ``p`` and
HF's never-used rows 0 and 1 land in the last two rows.
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

__all__ = ["OPTModel", "OPT125M"]

# Rows OPT's position table holds beyond max_seq_len (fairseq's padding offset).
POSITION_OFFSET = 2


class OPTModel(Block):
    """OPT: learned positions, pre-norm LayerNorm, biased MHA and a ReLU MLP.

    Args:
        vocab_size (int): vocabulary size.
        embed_dim (int): model width.
        intermediate_size (int): MLP hidden width.
        num_layers (int): number of decoder layers.
        num_heads (int): attention heads; must divide ``embed_dim``.
        dropout (float): embedding, attention and MLP dropout. Default: 0.1.
        tie_weights (bool): share the embedding matrix with the output head. Default: True.
        max_seq_len (int): context length (learned position slots). Default: 2048.
    """

    family = "model"

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        intermediate_size: int,
        num_layers: int,
        num_heads: int,
        dropout: float = 0.1,
        tie_weights: bool = True,
        max_seq_len: int = 2048,
    ) -> None:
        check_heads(embed_dim, num_heads)
        check_positive(vocab_size=vocab_size, num_layers=num_layers, max_seq_len=max_seq_len)

        def layer() -> Block:
            return decoder_layer(
                FlashAttention(embed_dim, num_heads, dropout=dropout, causal=True),
                ClassicFFN(
                    embed_dim, hidden_dim=intermediate_size, activation_fn="relu",
                    dropout=dropout,
                ),
                lambda: LayerNorm(embed_dim),
            )

        embedding = Embedding(vocab_size, embed_dim)
        super().__init__([
            embedding,
            AbsolutePositionalEmbedding(max_seq_len + POSITION_OFFSET, embed_dim, dropout=dropout),
            Repeat(layer, num_layers),
            LayerNorm(embed_dim),
            OutputHead(
                embed_dim, vocab_size, use_norm=False,
                tied_embedding=embedding if tie_weights else None,
            ),
        ])


# The presets: each is a row of olm.models.table (published numbers, year, size).
OPT125M = preset_class("OPT125M", OPTModel)
