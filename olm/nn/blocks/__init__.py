"""Ready-made larger parts: the output head, a transformer layer, a small LM."""

from olm.nn.blocks.lm import LM
from olm.nn.blocks.output_head import OutputHead
from olm.nn.blocks.qkv_projection import QKVProjection
from olm.nn.blocks.transformer_block import TransformerBlock

__all__ = ["LM", "OutputHead", "QKVProjection", "TransformerBlock"]
