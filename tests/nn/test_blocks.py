"""TransformerBlock, LM, QKVProjection and olm.nn.Linear."""

import math

import pytest
import torch
from torch import nn

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn.blocks import LM, OutputHead, QKVProjection, TransformerBlock
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.linear import Linear
from olm.nn.norms import LayerNorm
from olm.nn.structure import Block, Repeat, Residual

D, H, L, V = 16, 2, 32, 50


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _layer_params(d, hidden):
    attention = 4 * d * d + 4 * d
    swiglu = d * 2 * hidden + 2 * hidden + hidden * d + d
    return attention + swiglu + 2 * 2 * d  # + two LayerNorms


def test_transformer_block_is_two_pre_norm_residuals():
    block = TransformerBlock(D, H, L, causal=True, ff_multiplier=2.0)
    assert isinstance(block, Block) and block.family == "model"
    (layer,) = block.blocks
    attn_res, ffn_res = layer.blocks
    assert isinstance(attn_res, Residual) and isinstance(ffn_res, Residual)
    ln1, attn = attn_res.block.blocks
    ln2, ffn = ffn_res.block.blocks
    assert isinstance(ln1, LayerNorm) and isinstance(ffn, SwiGLUFFN) and ffn.hidden_dim == 32
    x = torch.randn(2, 5, D)
    h = x + attn(ln1(x))
    torch.testing.assert_close(block(x), h + ffn(ln2(h)))
    assert sum(p.numel() for p in block.parameters()) == _layer_params(D, 32)


def test_causal_block_ignores_later_tokens():
    block = TransformerBlock(D, H, L, causal=True).eval()
    x = torch.randn(1, 6, D)
    changed = x.clone()
    changed[:, 4:] = torch.randn(1, 2, D)
    torch.testing.assert_close(block(x)[:, :4], block(changed)[:, :4])
    assert not torch.allclose(block(x)[:, 4:], block(changed)[:, 4:])


def test_lm_shapes_tying_and_parameter_count():
    lm = LM(V, D, H, num_layers=2, max_seq_len=L)
    emb, stack, head = lm.blocks
    assert isinstance(emb, Embedding) and isinstance(stack, Repeat) and isinstance(head, OutputHead)
    assert head.weight is emb.embedding.weight
    hidden = int(2.5 * D)
    expected = V * D + 2 * _layer_params(D, hidden) + 2 * D  # tied: table counted once
    assert sum(p.numel() for p in lm.parameters()) == expected
    untied = LM(V, D, H, num_layers=2, max_seq_len=L, tie_embeddings=False)
    assert sum(p.numel() for p in untied.parameters()) == expected + V * D
    ids = torch.randint(0, V, (2, 7))
    assert lm(ids).shape == (2, 7, V)
    assert init_args(lm) == {
        "vocab_size": V,
        "embed_dim": D,
        "num_heads": H,
        "num_layers": 2,
        "max_seq_len": L,
    }


def test_lm_is_causal_and_trains():
    lm = LM(V, D, H, num_layers=1, max_seq_len=L)
    ids = torch.randint(0, V, (2, 8))
    changed = ids.clone()
    changed[:, -1] = (changed[:, -1] + 1) % V
    lm.eval()
    torch.testing.assert_close(lm(ids)[:, :-1], lm(changed)[:, :-1])
    lm.train()
    opt = torch.optim.AdamW(lm.parameters(), lr=1e-2)
    losses = []
    for _ in range(5):
        logits = lm(ids[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_lm_on_meta_allocates_nothing():
    with torch.device("meta"):
        lm = LM(32000, 2048, 16, num_layers=2, max_seq_len=4096)
    assert all(p.is_meta for p in lm.parameters())
    assert (
        sum(p.numel() for p in lm.parameters())
        == 32000 * 2048 + 2 * _layer_params(2048, 5120) + 2 * 2048
    )


def test_lm_rejects_bad_num_layers():
    with pytest.raises(ConfigError, match="LM num_layers must be a positive integer"):
        LM(V, D, H, num_layers=0, max_seq_len=L)


@pytest.mark.parametrize("init", ["xavier", "kaiming", "normal"])
def test_qkv_projection(init):
    proj = QKVProjection(D, 8, 6, 4, init=init)
    q, k, v = proj(torch.randn(2, 3, D))
    assert q.shape == (2, 3, 8) and k.shape == (2, 3, 6) and v.shape == (2, 3, 4)
    assert all(torch.count_nonzero(lin.bias) == 0 for lin in (proj.W_q, proj.W_k, proj.W_v))
    w = proj.W_q.weight
    if init == "xavier":
        assert w.abs().max() <= math.sqrt(6 / (D + 8))
    elif init == "normal":
        assert 0.005 < w.std() < 0.05
    else:
        assert w.abs().max() <= 1 / math.sqrt(D)


def test_qkv_projection_errors_and_meta():
    with pytest.raises(ConfigError, match="init must be one of"):
        QKVProjection(D, 8, 8, 8, init="orthogonal")
    with pytest.raises(ConfigError, match="dim_k must be a positive integer"):
        QKVProjection(D, 8, 0, 8)
    with torch.device("meta"):
        proj = QKVProjection(4096, 4096, 1024, 1024, bias=False)
    assert all(p.is_meta for p in proj.parameters())


def test_linear_is_a_plain_recorded_nn_linear():
    lin = Linear(D, 4, bias=False)
    assert isinstance(lin, nn.Linear)
    assert init_args(lin) == {"in_features": D, "out_features": 4, "bias": False}
    assert list(lin.state_dict()) == ["weight"]
    x = torch.randn(3, D)
    torch.testing.assert_close(lin(x), x @ lin.weight.T)
    with torch.device("meta"):
        assert Linear(8, 8).weight.is_meta
