"""Incremental decoding with `KVCache` gives exactly what a full forward gives."""

import pytest
import torch

from olm.nn.attention import (
    FlashAttention,
    FlashAttentionwithRoPE,
    GroupedQueryAttention,
    KVCache,
    KVSlot,
    MultiHeadAttention,
    MultiHeadAttentionwithALiBi,
    MultiHeadAttentionwithRoPE,
    SlidingWindowAttention,
)
from olm.nn.embeddings import AbsolutePositionalEmbedding
from olm.nn.structure import Block, Residual

D, H, L, B = 32, 4, 64, 2

LAYERS = {
    "mha": lambda: MultiHeadAttention(D, H, causal=True),
    "mha_rope": lambda: MultiHeadAttentionwithRoPE(D, H, L, causal=True),
    "flash": lambda: FlashAttention(D, H, causal=True),
    "flash_rope": lambda: FlashAttentionwithRoPE(D, H, L, causal=True),
    "gqa": lambda: GroupedQueryAttention(D, H, 2, L, use_qk_norm=True, qkv_bias=True),
    "mqa": lambda: GroupedQueryAttention(D, H, 1, L),
    "gqa_llama3_rope": lambda: GroupedQueryAttention(
        D,
        H,
        2,
        L,
        rope_theta=500000.0,
        rope_scaling={
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8,
        },
    ),
    "gqa_softcap_sink": lambda: GroupedQueryAttention(
        D, H, 2, L, attn_logit_softcap=3.0, use_attention_sink=True
    ),
    "gqa_window": lambda: GroupedQueryAttention(
        D, H, 2, L, sliding_window=3, partial_rotary_factor=0.5
    ),
    "swa": lambda: SlidingWindowAttention(D, H, 2, L, window_size=4),
    "alibi": lambda: MultiHeadAttentionwithALiBi(D, H, bias=True),
}


def decode(layer, x, chunks, **kw):
    cache = KVCache()
    outs, start = [], 0
    for size in chunks:
        outs.append(layer(x[:, start : start + size], kv_cache=cache, **kw))
        start += size
    return torch.cat(outs, dim=1), cache


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_prefill_then_token_by_token_equals_full_forward(name):
    layer = LAYERS[name]().eval()
    x = torch.randn(B, 11, D)
    with torch.no_grad():
        full = layer(x)
        inc, cache = decode(layer, x, [5] + [1] * 6)
        chunked, _ = decode(layer, x, [2, 3, 1, 4, 1])
    torch.testing.assert_close(inc, full, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(chunked, full, rtol=1e-5, atol=1e-5)
    slot = cache.slot(layer)
    assert cache.length == slot.length == 11
    assert slot.keys.shape == (B, layer.num_kv_heads, 11, layer.head_dim)


def test_left_padded_prompt_mask_is_remembered_while_decoding():
    layer = GroupedQueryAttention(D, H, 2, L).eval()
    x = torch.randn(B, 9, D)
    keep = torch.ones(B, 9, dtype=torch.bool)
    keep[1, :3] = False  # row 1 is left-padded
    with torch.no_grad():
        full = layer(x, mask=keep)
        cache = KVCache()
        first = layer(x[:, :5], mask=keep[:, :5], kv_cache=cache)
        rest = [layer(x[:, i : i + 1], kv_cache=cache) for i in range(5, 9)]  # no mask needed
        again = KVCache()
        layer(x[:, :5], mask=keep[:, :5], kv_cache=again)
        grown = [layer(x[:, i : i + 1], mask=keep[:, : i + 1], kv_cache=again) for i in range(5, 9)]
    inc = torch.cat([first, *rest], 1)
    torch.testing.assert_close(inc[keep], full[keep], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(
        torch.cat([first, *grown], 1)[keep], full[keep], rtol=1e-5, atol=1e-5
    )


def test_model_level_cache_with_positional_embedding_and_two_layers():
    """A Block passes kv_cache to every layer; positions continue from cache.length."""
    model = Block(
        [
            AbsolutePositionalEmbedding(L, D),
            Residual(GroupedQueryAttention(D, H, 2, L)),
            Residual(SlidingWindowAttention(D, H, 1, L, window_size=3)),
        ]
    ).eval()
    x = torch.randn(B, 8, D)
    with torch.no_grad():
        full = model(x)
        cache = KVCache()
        parts = [model(x[:, :4], kv_cache=cache)]
        parts += [model(x[:, i : i + 1], kv_cache=cache) for i in range(4, 8)]
    torch.testing.assert_close(torch.cat(parts, 1), full, rtol=1e-5, atol=1e-5)
    assert len(cache) == 2 and cache.length == 8
    cache.reset()
    assert cache.length == 0 and len(cache) == 0


def test_slot_append_grows_and_returns_everything():
    slot = KVSlot()
    assert slot.length == 0 and slot.keys is None
    ks, vs = [], []
    for n in (3, 1, 20, 1):
        k, v = torch.randn(2, 1, n, 4), torch.randn(2, 1, n, 4)
        ks.append(k)
        vs.append(v)
        k_all, v_all = slot.append(k, v)
        torch.testing.assert_close(k_all, torch.cat(ks, 2))
        torch.testing.assert_close(v_all, torch.cat(vs, 2))
    assert slot.length == 25


def test_slot_keeps_autograd_history():
    slot = KVSlot()
    k = torch.randn(1, 1, 2, 4, requires_grad=True)
    k_all, _ = slot.append(k, k * 2)
    k_all, v_all = slot.append(k + 1, k)
    (k_all.sum() + v_all.sum()).backward()
    torch.testing.assert_close(k.grad, torch.full_like(k, 5.0))  # k_all = [k, k+1], v_all = [2k, k]


def test_slot_rejects_a_different_batch():
    slot = KVSlot()
    slot.append(torch.randn(2, 1, 3, 4), torch.randn(2, 1, 3, 4))
    with pytest.raises(ValueError, match=r"cache.reset\(\)"):
        slot.append(torch.randn(3, 1, 1, 4), torch.randn(3, 1, 1, 4))
    with pytest.raises(ValueError, match=r"\[batch, kv_heads, seq, head_dim\]"):
        slot.append(torch.randn(2, 3, 4), torch.randn(2, 3, 4))


def test_cache_slots_are_per_module():
    cache = KVCache()
    a, b = GroupedQueryAttention(D, H, 2, L), GroupedQueryAttention(D, H, 2, L)
    assert cache.slot(a) is cache.slot(a) and cache.slot(a) is not cache.slot(b)
    assert cache.length == 0
