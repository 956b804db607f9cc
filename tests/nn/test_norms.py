"""LayerNorm and RMSNorm against plain PyTorch and hand formulas, in fp32 and bf16."""

import pytest
import torch
import torch.nn.functional as F

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.core.registry import NORMS
from olm.nn.norms import LayerNorm, NormBase, RMSNorm


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _randomise(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p))
    return module


def _rms_reference(x, weight, eps):
    """RMSNorm written out by hand in float64, cast to the input dtype at the end."""
    x64 = x.double()
    y = x64 / torch.sqrt((x64 * x64).mean(dim=-1, keepdim=True) + eps) * weight.double()
    return y


def _layer_norm_reference(x, gamma, beta, eps):
    x64 = x.double()
    mean = x64.mean(-1, keepdim=True)
    var = ((x64 - mean) ** 2).mean(-1, keepdim=True)  # biased variance
    y = (x64 - mean) / torch.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma.double()
    if beta is not None:
        y = y + beta.double()
    return y


@pytest.mark.parametrize("shape", [(2, 5, 16), (2, 3, 5, 16)])
def test_layer_norm_matches_torch_and_hand_formula(shape):
    norm = _randomise(LayerNorm(16, eps=1e-5))
    x = torch.randn(shape) * 3 + 1
    expected = F.layer_norm(x, (16,), norm.gamma, norm.beta, 1e-5)
    torch.testing.assert_close(norm(x), expected)
    hand = _layer_norm_reference(x, norm.gamma, norm.beta, 1e-5).float()
    torch.testing.assert_close(norm(x), hand, atol=1e-5, rtol=1e-5)


def test_layer_norm_without_affine_or_bias():
    plain = LayerNorm(8, elementwise_affine=False)
    assert list(plain.state_dict()) == [] and plain.gamma is None and plain.beta is None
    no_bias = _randomise(LayerNorm(8, bias=False))
    assert list(no_bias.state_dict()) == ["gamma"]
    x = torch.randn(3, 4, 8)
    torch.testing.assert_close(plain(x), _layer_norm_reference(x, None, None, 1e-5).float())
    torch.testing.assert_close(
        no_bias(x), _layer_norm_reference(x, no_bias.gamma, None, 1e-5).float()
    )


@pytest.mark.parametrize("shape", [(2, 5, 16), (2, 4, 5, 16)])
def test_rms_norm_matches_hand_formula(shape):
    norm = _randomise(RMSNorm(16, eps=1e-6))
    x = torch.randn(shape)
    torch.testing.assert_close(norm(x), _rms_reference(x, norm.weight, 1e-6).float())


def test_rms_norm_eps_matters_for_small_inputs():
    norm = RMSNorm(4, eps=1e-2)
    x = torch.full((1, 1, 4), 1e-2)
    # mean(x^2) = 1e-4 is small next to eps, so the output is far from 1.
    torch.testing.assert_close(norm(x), _rms_reference(x, norm.weight, 1e-2).float())
    assert norm(x).max() < 0.2


def test_rms_norm_matches_transformers_llama():
    from transformers.models.llama.modeling_llama import LlamaRMSNorm

    ours = _randomise(RMSNorm(16, eps=1e-6))
    theirs = LlamaRMSNorm(16, eps=1e-6)
    theirs.weight.data.copy_(ours.weight.data)
    x = torch.randn(2, 7, 16)
    torch.testing.assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("cls", [RMSNorm, LayerNorm])
def test_bf16_input_is_normalised_in_fp32_and_cast_back(cls):
    norm = _randomise(cls(64))
    # An offset much larger than the spread: a mean taken in bf16 would be off by a large
    # fraction of the standard deviation (relative error ~1 for LayerNorm).
    x = (torch.randn(2, 3, 64) * 0.1 + 8.0).to(torch.bfloat16)
    out = norm(x)
    assert out.dtype == torch.bfloat16
    if cls is RMSNorm:
        ref = _rms_reference(x.float(), norm.weight, norm.eps)
    else:
        ref = _layer_norm_reference(x.float(), norm.gamma, norm.beta, norm.eps)
    # Within one bf16 rounding of the float reference.
    torch.testing.assert_close(out.float(), ref.float(), atol=0, rtol=2**-7)


def test_bf16_weights_and_input():
    norm = _randomise(RMSNorm(32)).to(torch.bfloat16)
    x = torch.randn(2, 3, 32, dtype=torch.bfloat16)
    out = norm(x)
    assert out.dtype == torch.bfloat16
    ref = _rms_reference(x.float(), norm.weight.float(), norm.eps)
    torch.testing.assert_close(out.float(), ref.float(), atol=0, rtol=2**-7)


def test_gradients_flow_to_input_and_weight():
    norm = RMSNorm(8)
    x = torch.randn(2, 3, 8, requires_grad=True)
    norm(x).square().sum().backward()
    assert x.grad is not None and norm.weight.grad is not None
    assert norm.weight.grad.abs().sum() > 0


def test_registry_family_and_recorded_args():
    assert NORMS.get("layer_norm") is LayerNorm
    assert NORMS.get("rms_norm") is RMSNorm
    assert LayerNorm.family == "norm" and RMSNorm.family == "norm" and NormBase.family is None
    assert init_args(RMSNorm(8, eps=1e-6)) == {"d_model": 8, "eps": 1e-6}
    assert init_args(LayerNorm(8, elementwise_affine=False)) == {
        "d_model": 8,
        "elementwise_affine": False,
    }


@pytest.mark.parametrize("cls", [RMSNorm, LayerNorm])
def test_bad_hyperparameters_name_the_argument(cls):
    with pytest.raises(ConfigError, match="d_model must be a positive integer"):
        cls(0)
    with pytest.raises(ConfigError, match="d_model"):
        cls(8.0)
    with pytest.raises(ConfigError, match="eps must be a number > 0"):
        cls(8, eps=0)


@pytest.mark.parametrize("cls", [RMSNorm, LayerNorm])
def test_wrong_input_width_names_the_expected_shape(cls):
    with pytest.raises(ValueError, match=r"\[\.\.\., 8\]"):
        cls(8)(torch.randn(2, 3, 7))


@pytest.mark.parametrize("cls", [RMSNorm, LayerNorm])
def test_meta_device_construction_allocates_nothing(cls):
    with torch.device("meta"):
        norm = cls(16384)
    assert all(p.is_meta for p in norm.parameters())
    assert sum(p.numel() for p in norm.parameters()) in (16384, 2 * 16384)
    assert norm(torch.empty(2, 3, 16384, device="meta")).shape == (2, 3, 16384)
