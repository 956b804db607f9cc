"""Dense feed-forwards against hand formulas and transformers' Llama / Gemma MLPs."""

import math

import pytest
import torch
import torch.nn.functional as F

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn import feedforward as ff
from olm.nn.activations import GELU, ReLU
from olm.nn.feedforward import ClassicFFN, FeedForwardBase, GeGLUFFN, SwiGLUFFN


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _randomise(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.3)
    return module


def _gelu_exact(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def test_classic_ffn_defaults_and_numerics():
    m = _randomise(ClassicFFN(16))
    assert m.hidden_dim == 64 and m.up_proj.weight.shape == (64, 16)
    assert isinstance(m.act, GELU) and m.act.approximate == "none"
    x = torch.randn(2, 5, 16)
    h = _gelu_exact(x @ m.up_proj.weight.T + m.up_proj.bias)
    expected = h @ m.down_proj.weight.T + m.down_proj.bias
    torch.testing.assert_close(m(x), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "spec, reference",
    [
        ("gelu_tanh", lambda h: F.gelu(h, approximate="tanh")),
        ("relu", torch.relu),
        (ReLU, torch.relu),
        (torch.nn.SiLU(), F.silu),
    ],
)
def test_classic_ffn_activation_choices(spec, reference):
    m = _randomise(ClassicFFN(8, hidden_dim=12, activation_fn=spec, bias=False))
    assert m.up_proj.bias is None
    x = torch.randn(3, 8)
    expected = reference(x @ m.up_proj.weight.T) @ m.down_proj.weight.T
    torch.testing.assert_close(m(x), expected, atol=1e-5, rtol=1e-5)


def test_swiglu_ffn_fused_projection_value_then_gate():
    m = _randomise(SwiGLUFFN(16, hidden_dim=24))
    assert m.up_proj.weight.shape == (48, 16) and m.down_proj.weight.shape == (16, 24)
    w, b = m.up_proj.weight, m.up_proj.bias
    x = torch.randn(2, 3, 16)
    value = x @ w[:24].T + b[:24]
    gate = x @ w[24:].T + b[24:]
    expected = (value * gate * torch.sigmoid(gate)) @ m.down_proj.weight.T + m.down_proj.bias
    torch.testing.assert_close(m(x), expected, atol=1e-5, rtol=1e-5)


def test_swiglu_default_width_is_ff_multiplier_times_d():
    assert SwiGLUFFN(16).hidden_dim == 40
    assert SwiGLUFFN(16, ff_multiplier=3.0).hidden_dim == 48
    assert GeGLUFFN(16).hidden_dim == 64


def _copy_hf_gated(ours, theirs):
    h = ours.hidden_dim
    with torch.no_grad():
        ours.up_proj.weight[:h].copy_(theirs.up_proj.weight)  # value rows
        ours.up_proj.weight[h:].copy_(theirs.gate_proj.weight)  # gate rows
        ours.down_proj.weight.copy_(theirs.down_proj.weight)


def test_swiglu_matches_transformers_llama_mlp():
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaMLP

    cfg = LlamaConfig(
        hidden_size=16,
        intermediate_size=40,
        hidden_act="silu",
        num_attention_heads=2,
        num_key_value_heads=2,
    )
    theirs = LlamaMLP(cfg)
    ours = SwiGLUFFN(16, hidden_dim=40, bias=False)
    _copy_hf_gated(ours, theirs)
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(ours(x), theirs(x))


def test_geglu_tanh_matches_transformers_gemma2_mlp():
    from transformers import Gemma2Config
    from transformers.models.gemma2.modeling_gemma2 import Gemma2MLP

    cfg = Gemma2Config(
        hidden_size=16,
        intermediate_size=32,
        hidden_activation="gelu_pytorch_tanh",
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=8,
    )
    theirs = Gemma2MLP(cfg)
    ours = GeGLUFFN(16, hidden_dim=32, bias=False, approximate="tanh")
    _copy_hf_gated(ours, theirs)
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(ours(x), theirs(x))


def test_geglu_exact_matches_gemma_mlp_with_exact_gelu():
    from transformers import GemmaConfig
    from transformers.models.gemma.modeling_gemma import GemmaMLP

    cfg = GemmaConfig(
        hidden_size=16,
        intermediate_size=32,
        hidden_act="gelu",
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=8,
    )
    theirs = GemmaMLP(cfg)
    # transformers maps Gemma's legacy "gelu" to the tanh form; force the exact one.
    theirs.act_fn = torch.nn.GELU(approximate="none")
    ours = GeGLUFFN(16, hidden_dim=32, bias=False)
    _copy_hf_gated(ours, theirs)
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(ours(x), theirs(x))
    # The two GELU forms really differ, so the tanh test above checks something.
    tanh = GeGLUFFN(16, hidden_dim=32, bias=False, approximate="tanh")
    tanh.load_state_dict(ours.state_dict())
    assert not torch.allclose(tanh(x), ours(x), atol=1e-7, rtol=0)


@pytest.mark.parametrize("cls", [ClassicFFN, SwiGLUFFN, GeGLUFFN])
def test_dropout_only_in_training(cls):
    m = cls(16, dropout=0.5)
    x = torch.randn(4, 8, 16)
    m.eval()
    torch.testing.assert_close(m(x), m(x))
    m.train()
    out = m(x)
    assert (out == 0).float().mean() > 0.3  # about half the outputs dropped
    m.eval()
    kept = out != 0
    torch.testing.assert_close(out[kept], 2 * m(x)[kept])


@pytest.mark.parametrize("cls", [ClassicFFN, SwiGLUFFN, GeGLUFFN])
def test_bad_hyperparameters_name_argument_and_rule(cls):
    with pytest.raises(ConfigError, match="embed_dim must be a positive integer"):
        cls(0)
    with pytest.raises(ConfigError, match="hidden_dim must be a positive integer"):
        cls(8, hidden_dim=-1)
    with pytest.raises(ConfigError, match=r"dropout must be a number in \[0, 1\)"):
        cls(8, dropout=1.0)


def test_gated_specific_errors():
    with pytest.raises(ConfigError, match="ff_multiplier must be a number > 0"):
        SwiGLUFFN(8, ff_multiplier=0)
    with pytest.raises(ConfigError, match="GeGLUFFN approximate must be one of"):
        GeGLUFFN(8, approximate="fast")
    with pytest.raises(ConfigError, match="activation_fn 'gelu_fast' is not a registered"):
        ClassicFFN(8, activation_fn="gelu_fast")


@pytest.mark.parametrize("cls", [ClassicFFN, SwiGLUFFN, GeGLUFFN])
def test_wrong_input_width_names_expected_shape(cls):
    with pytest.raises(ValueError, match=r"expects input of shape \[\.\.\., 8\]"):
        cls(8)(torch.randn(2, 3, 9))


def test_recorded_args_and_families():
    assert init_args(ClassicFFN(8, activation_fn="gelu_tanh")) == {
        "embed_dim": 8,
        "activation_fn": "gelu_tanh",
    }
    assert init_args(SwiGLUFFN(8, bias=False)) == {"embed_dim": 8, "bias": False}
    for cls in (ClassicFFN, SwiGLUFFN, GeGLUFFN):
        assert cls.family == "feedforward" and issubclass(cls, FeedForwardBase)
    assert FeedForwardBase.family is None
    for name in ff.__all__:
        assert hasattr(ff, name)


def test_meta_device_construction_allocates_nothing():
    with torch.device("meta"):
        big = SwiGLUFFN(16384, hidden_dim=53248, bias=False)  # Llama 3.1 405B's MLP
    assert all(p.is_meta for p in big.parameters())
    assert sum(p.numel() for p in big.parameters()) == 3 * 16384 * 53248
    with torch.device("meta"):
        out = ClassicFFN(64)(torch.empty(2, 3, 64))
    assert out.is_meta and out.shape == (2, 3, 64)


def test_bf16_forward_keeps_dtype():
    m = SwiGLUFFN(16).to(torch.bfloat16)
    assert m(torch.randn(2, 3, 16, dtype=torch.bfloat16)).dtype == torch.bfloat16
