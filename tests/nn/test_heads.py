"""OutputHead: projection, final norm, weight tying (one shared Parameter), soft-capping."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.norms import LayerNorm, RMSNorm
from olm.nn.structure import Block

D, V = 16, 40


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _randomise(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p))
    return module


def test_untied_head_is_layer_norm_then_linear():
    head = _randomise(OutputHead(D, V))
    assert isinstance(head.norm, LayerNorm) and head.proj.bias is None
    assert head.projection is head.proj and head.weight is head.proj.weight
    assert not isinstance(head, Block) and head.family == "head"
    x = torch.randn(2, 3, D)
    expected = F.linear(
        F.layer_norm(x, (D,), head.norm.gamma, head.norm.beta, 1e-5), head.proj.weight
    )
    torch.testing.assert_close(head(x), expected)


def test_tied_to_olm_embedding_shares_one_parameter():
    emb = Embedding(V, D)
    head = OutputHead(D, V, tied_embedding=emb)
    model = Block([emb, head])
    assert head.weight is emb.embedding.weight
    assert head.proj is None and head.projection is None and head.tied
    # Counted once: embedding table + the head's LayerNorm.
    assert sum(p.numel() for p in model.parameters()) == V * D + 2 * D
    assert sorted(model.state_dict()) == [
        "blocks.0.embedding.weight",
        "blocks.1.norm.beta",
        "blocks.1.norm.gamma",
    ]
    ids = torch.randint(0, V, (2, 5))
    logits = model(ids)
    h = F.layer_norm(emb(ids), (D,), head.norm.gamma, head.norm.beta, 1e-5)
    torch.testing.assert_close(logits, h @ emb.embedding.weight.T)
    logits.sum().backward()
    assert emb.embedding.weight.grad is not None


def test_tie_survives_to_and_meta_materialisation():
    with torch.device("meta"):
        emb = Embedding(V, D)
        head = OutputHead(D, V, tied_embedding=emb)
        model = Block([emb, head])
    assert all(p.is_meta for p in model.parameters())
    model.to_empty(device="cpu")
    assert head.weight is emb.embedding.weight and head.weight.device.type == "cpu"
    model.to(torch.float64)
    assert head.weight is emb.embedding.weight and head.weight.dtype == torch.float64


def test_tied_to_parameter_or_nn_embedding():
    table = nn.Parameter(torch.randn(V, D))
    head = OutputHead(D, V, tied_embedding=table, use_norm=False)
    assert head.weight is table
    x = torch.randn(2, D)
    torch.testing.assert_close(head(x), x @ table.T)
    plain = nn.Embedding(V, D)
    assert OutputHead(D, V, tied_embedding=plain).weight is plain.weight


def test_tie_weights_false_gives_own_projection():
    emb = Embedding(V, D)
    head = OutputHead(D, V, tied_embedding=emb, tie_weights=False)
    assert head.proj is not None and head.weight is not emb.embedding.weight
    assert sum(p.numel() for p in Block([emb, head]).parameters()) == 2 * V * D + 2 * D


def test_tied_with_bias_adds_a_bias_per_logit():
    emb = _randomise(Embedding(V, D))
    head = _randomise(OutputHead(D, V, bias=True, tied_embedding=emb, use_norm=False))
    x = torch.randn(3, D)
    torch.testing.assert_close(head(x), x @ emb.embedding.weight.T + head.bias)


def test_mismatched_embedding_is_rejected():
    with pytest.raises(ValueError, match="embedding dimension"):
        OutputHead(D, V, tied_embedding=Embedding(V, D + 1))
    with pytest.raises(ValueError, match="vocabulary size"):
        OutputHead(D, V, tied_embedding=Embedding(V + 1, D))
    with pytest.raises(ConfigError, match="tied_embedding must be"):
        OutputHead(D, V, tied_embedding=nn.Linear(D, V))


def test_norm_choices():
    assert isinstance(OutputHead(D, V, use_norm=False).norm, nn.Identity)
    rms = RMSNorm(D)
    head = OutputHead(D, V, norm=rms)
    assert head.norm is rms
    x = torch.randn(2, D)
    torch.testing.assert_close(head(x), rms(x) @ head.proj.weight.T)
    with pytest.raises(ConfigError, match="use_norm is False"):
        OutputHead(D, V, norm=RMSNorm(D), use_norm=False)


def test_logit_softcap():
    plain = _randomise(OutputHead(D, V, use_norm=False))
    capped = OutputHead(D, V, use_norm=False, logit_softcap=3.0)
    capped.load_state_dict(plain.state_dict())
    x = torch.randn(4, D) * 5
    raw = plain(x)
    assert raw.abs().max() > 3.0  # the cap has something to do
    torch.testing.assert_close(capped(x), 3.0 * torch.tanh(raw / 3.0))
    assert capped(x).abs().max() <= 3.0
    with pytest.raises(ConfigError, match="logit_softcap must be None or a number > 0"):
        OutputHead(D, V, logit_softcap=0)


def test_errors_and_recorded_args():
    with pytest.raises(ConfigError, match="vocab_size must be a positive integer"):
        OutputHead(D, 0)
    with pytest.raises(ValueError, match=r"expects input of shape \[\.\.\., 16\]"):
        OutputHead(D, V)(torch.randn(2, 3, 8))
    emb = Embedding(V, D)
    assert init_args(OutputHead(D, V, tied_embedding=emb)) == {
        "embed_dim": D,
        "vocab_size": V,
        "tied_embedding": emb,
    }


def test_meta_device_untied_head_allocates_nothing():
    with torch.device("meta"):
        head = OutputHead(16384, 128256)
    assert all(p.is_meta for p in head.parameters())
    assert sum(p.numel() for p in head.parameters()) == 16384 * 128256 + 2 * 16384
