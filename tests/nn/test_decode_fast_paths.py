"""The shortcuts of the decoding path give exactly what the general path gives.

- a one-token step needs no mask when it may see every cached key;
- RoPE keeps a cos/sin table between calls, rebuilt whenever the frequencies could change.
"""

from __future__ import annotations

import torch

from olm.nn.attention import GroupedQueryAttention, KVCache, SlidingWindowAttention
from olm.nn.attention.masks import build_attention_mask, structure_mask
from olm.nn.embeddings import RotaryPositionalEmbedding

D, H, KV, L = 32, 4, 2, 64


def test_one_token_step_sees_every_key_without_a_mask():
    mask, causal = build_attention_mask(None, batch=2, q_len=1, k_len=9, offset=8, causal=True)
    assert mask is None and causal is False
    # ... which is what the structure mask says: the row is all True
    assert structure_mask(1, 9, 8, True, None, torch.device("cpu")).all()
    # inside the window: still nothing to mask
    mask, _ = build_attention_mask(None, batch=2, q_len=1, k_len=4, offset=3, causal=True, window=4)
    assert mask is None
    # past the window: the oldest keys must be masked
    mask, _ = build_attention_mask(None, batch=2, q_len=1, k_len=9, offset=8, causal=True, window=4)
    assert mask is not None and mask.reshape(-1).tolist() == [False] * 5 + [True] * 4
    # a user mask is never dropped
    keep = torch.tensor([[True] * 8 + [False], [True] * 9])
    mask, _ = build_attention_mask(keep, batch=2, q_len=1, k_len=9, offset=8, causal=True)
    assert mask is not None and not bool(mask[0, ..., -1].any())


def _decode_matches_full(layer, n=10):
    layer.eval()
    x = torch.randn(2, n, D)
    with torch.no_grad():
        full = layer(x)
        cache = KVCache()
        steps = [layer(x[:, :3], kv_cache=cache)]
        steps += [layer(x[:, i : i + 1], kv_cache=cache) for i in range(3, n)]
    torch.testing.assert_close(torch.cat(steps, dim=1), full, rtol=1e-5, atol=1e-6)


def test_cached_decoding_matches_the_full_forward():
    _decode_matches_full(GroupedQueryAttention(D, H, KV, L))
    _decode_matches_full(GroupedQueryAttention(D, H, KV, L, qkv_bias=True, use_qk_norm=True))
    _decode_matches_full(SlidingWindowAttention(D, H, KV, L, window_size=4))


def _direct(rope, x, offset):
    """RoPE computed afresh for these positions (no table), through the public `rotate`."""
    positions = torch.arange(offset, offset + x.shape[-2])
    return rope.rotate(x, positions)


def test_rope_table_rows_equal_freshly_computed_rotations():
    rope = RotaryPositionalEmbedding(8, 4096, base=10000)
    q, k = torch.randn(2, 4, 5, 8), torch.randn(2, 2, 5, 8)
    for offset in (0, 3, 100, 7):  # growing, then back inside the table
        rq, rk = rope.rotate_qk(q, k, offset)
        torch.testing.assert_close(rq, _direct(rope, q, offset), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(rk, _direct(rope, k, offset), rtol=1e-6, atol=1e-6)
    table = rope.__dict__["_cos_sin_table"][1]
    assert table.shape[-2] < 4096  # grown to what was asked for, not max_seq_len


def test_rope_table_follows_changes_to_the_frequencies():
    rope = RotaryPositionalEmbedding(8, 64)
    q = torch.randn(1, 2, 4, 8)
    before, _ = rope.rotate_qk(q, q, 2)
    with torch.no_grad():
        rope.inv_freq.mul_(0.5)  # an in-place write: the table must not be reused
    after, _ = rope.rotate_qk(q, q, 2)
    assert not torch.allclose(before, after)
    torch.testing.assert_close(after, _direct(rope, q, 2), rtol=1e-6, atol=1e-6)
    rope.reset_parameters()  # back to the true frequencies
    again, _ = rope.rotate_qk(q, q, 2)
    torch.testing.assert_close(again, before, rtol=1e-6, atol=1e-6)
    doubled, _ = rope.double().rotate_qk(q.double(), q.double(), 2)  # another dtype
    assert doubled.dtype == torch.float64
    torch.testing.assert_close(doubled.float(), before, rtol=1e-5, atol=1e-6)


def test_table_built_in_inference_mode_does_not_leak_into_training():
    layer = GroupedQueryAttention(D, H, KV, L)
    x = torch.randn(2, 6, D)
    with torch.inference_mode():
        layer(x)
    y = layer(x)  # would fail to save an inference tensor for backward
    y.sum().backward()
    assert layer.qkv_proj.weight.grad is not None
