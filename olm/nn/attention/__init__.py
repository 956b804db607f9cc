"""Attention layers, masks and the key/value cache."""

from olm.core.registry import ATTN
from olm.nn.attention import masks
from olm.nn.attention.alibi import MultiHeadAttentionwithALiBi
from olm.nn.attention.base import AttentionBase, AttentionwithRoPEBase
from olm.nn.attention.flash import FlashAttention, FlashAttentionwithRoPE
from olm.nn.attention.gqa import GroupedQueryAttention
from olm.nn.attention.kv_cache import KVCache, KVSlot
from olm.nn.attention.latent import MultiHeadLatentAttention
from olm.nn.attention.masks import attention_mask_to_bool
from olm.nn.attention.mha import MultiHeadAttention, MultiHeadAttentionwithRoPE
from olm.nn.attention.sliding_window import SlidingWindowAttention

for _name, _cls in {
    "mha": MultiHeadAttention,
    "mha_rope": MultiHeadAttentionwithRoPE,
    "flash": FlashAttention,
    "flash_rope": FlashAttentionwithRoPE,
    "gqa": GroupedQueryAttention,
    "sliding_window": SlidingWindowAttention,
    "mha_alibi": MultiHeadAttentionwithALiBi,
    "mla": MultiHeadLatentAttention,
}.items():
    ATTN.register(_name)(_cls)

__all__ = [
    "AttentionBase",
    "AttentionwithRoPEBase",
    "FlashAttention",
    "FlashAttentionwithRoPE",
    "GroupedQueryAttention",
    "KVCache",
    "KVSlot",
    "MultiHeadAttention",
    "MultiHeadAttentionwithALiBi",
    "MultiHeadAttentionwithRoPE",
    "MultiHeadLatentAttention",
    "SlidingWindowAttention",
    "attention_mask_to_bool",
    "masks",
]
