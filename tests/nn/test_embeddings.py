"""Token, absolute, sinusoidal and ALiBi embeddings."""

import math

import pytest
import torch

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn.attention import KVCache
from olm.nn.embeddings import (
    AbsolutePositionalEmbedding,
    ALiBiPositionalBias,
    Embedding,
    PositionalEmbeddingBase,
    SinusoidalPositionalEmbedding,
)


def test_embedding_looks_up_rows_and_scales():
    emb = Embedding(11, 6, scale=math.sqrt(6))
    ids = torch.tensor([[1, 4, 10]])
    out = emb(ids)
    assert out.shape == (1, 3, 6)
    torch.testing.assert_close(out[0, 1], emb.embedding.weight[4] * math.sqrt(6))
    assert emb.weight is emb.embedding.weight
    assert Embedding.family == "embedding"
    assert init_args(emb) == {"vocab_size": 11, "embedding_dim": 6, "scale": math.sqrt(6)}


def test_embedding_without_scale_is_plain_lookup():
    emb = Embedding(5, 4)
    ids = torch.tensor([[0, 3]])
    torch.testing.assert_close(emb(ids), emb.embedding.weight[ids])


def test_embedding_rejects_float_ids():
    with pytest.raises(ValueError, match=r"integer token ids of shape \[batch, seq\]"):
        Embedding(5, 4)(torch.zeros(1, 3))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"vocab_size": 0, "embedding_dim": 4}, "vocab_size"),
        ({"vocab_size": 3, "embedding_dim": -1}, "embedding_dim"),
    ],
)
def test_embedding_bad_sizes_name_the_argument(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        Embedding(**kwargs)


def test_absolute_adds_the_row_of_each_position():
    pe = AbsolutePositionalEmbedding(8, 4)
    x = torch.randn(2, 5, 4)
    torch.testing.assert_close(pe(x), x + pe.pos_embedding.weight[:5])
    positions = torch.tensor([7, 0, 3, 3, 1])
    torch.testing.assert_close(
        pe(x, seq_positions=positions), x + pe.pos_embedding.weight[positions]
    )


def test_absolute_continues_after_the_cache():
    pe = AbsolutePositionalEmbedding(8, 4)

    class Filled:
        length = 5

    x = torch.randn(1, 2, 4)
    torch.testing.assert_close(pe(x, kv_cache=Filled()), x + pe.pos_embedding.weight[5:7])
    assert pe(x, kv_cache=KVCache()).shape == (1, 2, 4)  # empty cache: positions 0, 1


def test_absolute_too_long_names_max_seq_len():
    pe = AbsolutePositionalEmbedding(4, 8)
    with pytest.raises(ValueError, match="max_seq_len 4"):
        pe(torch.randn(1, 5, 8))
    with pytest.raises(ValueError, match=r"\[batch, seq, 8\]"):
        pe(torch.randn(1, 3, 7))


def test_sinusoidal_matches_the_paper_formula():
    d, n = 6, 9
    pe = SinusoidalPositionalEmbedding(d)
    x = torch.zeros(1, n, d)
    expected = torch.zeros(n, d)
    for pos in range(n):
        for i in range(0, d, 2):
            expected[pos, i] = math.sin(pos / 10000 ** (i / d))
            expected[pos, i + 1] = math.cos(pos / 10000 ** (i / d))
    torch.testing.assert_close(pe(x)[0], expected)
    assert list(pe.parameters()) == [] and list(pe.buffers()) == []


def test_sinusoidal_odd_width_and_limit():
    pe = SinusoidalPositionalEmbedding(5, max_seq_len=3)
    assert pe(torch.zeros(2, 3, 5)).shape == (2, 3, 5)
    with pytest.raises(ValueError, match="max_seq_len 3"):
        pe(torch.zeros(1, 4, 5))


@pytest.mark.parametrize("num_heads", [4, 6, 8, 12])
def test_alibi_slopes_match_bloom(num_heads):
    from transformers.models.bloom.modeling_bloom import build_alibi_tensor

    n = 5
    bloom = build_alibi_tensor(torch.ones(1, n), num_heads, torch.float32)  # slope_h * j
    slopes = bloom[:, 0, 1]  # j = 1 → the slope itself
    bias = ALiBiPositionalBias(num_heads)(n, n)
    assert bias.shape == (1, num_heads, n, n)
    i, j = torch.arange(n)[:, None], torch.arange(n)[None, :]
    torch.testing.assert_close(bias[0], -slopes[:, None, None] * (i - j).abs().float())


def test_alibi_queries_after_cached_keys():
    alibi = ALiBiPositionalBias(2)
    torch.testing.assert_close(alibi(1, 4), alibi(4, 4)[:, :, -1:])


def test_positional_family_and_base():
    for cls in (AbsolutePositionalEmbedding, SinusoidalPositionalEmbedding, ALiBiPositionalBias):
        assert issubclass(cls, PositionalEmbeddingBase) and cls.family == "embedding"
    assert PositionalEmbeddingBase.family is None


def test_meta_device_construction_allocates_nothing():
    with torch.device("meta"):
        mods = [
            Embedding(128_256, 16_384),
            AbsolutePositionalEmbedding(131_072, 16_384),
            SinusoidalPositionalEmbedding(16_384, max_seq_len=131_072),
            ALiBiPositionalBias(128, 131_072),
        ]
    for m in mods:
        assert all(t.is_meta for t in list(m.parameters()) + list(m.buffers()))
    assert mods[0].weight.numel() == 128_256 * 16_384
