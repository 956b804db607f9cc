"""Every registered activation against torch's own implementation or a hand formula."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.core.registry import ACTIVATIONS
from olm.nn import activations as act
from olm.nn.activations import ActivationBase, get_activation


def _halves(x):
    h = x.shape[-1] // 2
    return x[..., :h], x[..., h:]


# name -> independent reference (torch modules or written-out formulas)
POINTWISE = {
    "identity": lambda x: x,
    "relu": nn.ReLU(),
    "leaky_relu": nn.LeakyReLU(0.01),
    "prelu": nn.PReLU(1, 0.25),
    "elu": nn.ELU(1.0),
    "selu": nn.SELU(),
    "gelu": lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))),
    "gelu_tanh": lambda x: (
        0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    ),
    "silu": lambda x: x / (1 + torch.exp(-x)),
    "swish": lambda x: x / (1 + torch.exp(-x)),
    "mish": lambda x: x * torch.tanh(torch.log1p(torch.exp(x))),
    "sigmoid": lambda x: 1 / (1 + torch.exp(-x)),
    "tanh": nn.Tanh(),
    "softplus": lambda x: torch.log1p(torch.exp(x)),
    "softmax": lambda x: torch.exp(x) / torch.exp(x).sum(-1, keepdim=True),
}

GATED = {
    "glu": lambda v, g: v / (1 + torch.exp(-g)),
    "swiglu": lambda v, g: v * g / (1 + torch.exp(-g)),
    "geglu": lambda v, g: v * 0.5 * g * (1 + torch.erf(g / math.sqrt(2))),
    "reglu": lambda v, g: v * torch.clamp(g, min=0),
    "liglu": lambda v, g: v * g,
}


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_every_registered_name_is_covered():
    assert set(ACTIVATIONS.names()) == set(POINTWISE) | set(GATED)


@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_matches_reference(name):
    x = torch.randn(2, 3, 8) * 3
    module = get_activation(name)
    assert isinstance(module, ActivationBase) and module.family == "activation"
    out = module(x)
    assert out.shape == x.shape
    torch.testing.assert_close(out, POINTWISE[name](x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(GATED))
def test_gated_split_value_then_gate(name):
    x = torch.randn(2, 3, 10) * 2
    out = get_activation(name)(x)
    assert out.shape == (2, 3, 5)
    value, gate = _halves(x)
    torch.testing.assert_close(out, GATED[name](value, gate), atol=1e-5, rtol=1e-5)


def test_gated_rejects_odd_width():
    with pytest.raises(ValueError, match=r"even last dimension"):
        act.SwiGLU()(torch.randn(2, 7))


def test_geglu_tanh_and_gelu_arguments():
    x = torch.randn(4, 6)
    value, gate = _halves(x)
    torch.testing.assert_close(act.GeGLU("tanh")(x), value * nn.GELU(approximate="tanh")(gate))
    torch.testing.assert_close(act.GELU("tanh")(x), nn.GELU(approximate="tanh")(x))
    with pytest.raises(ConfigError, match="approximate must be one of"):
        act.GELU("fast")


def test_parametrised_activations():
    x = torch.randn(3, 5)
    torch.testing.assert_close(act.LeakyReLU(0.2)(x), F.leaky_relu(x, 0.2))
    torch.testing.assert_close(act.ELU(0.5)(x), F.elu(x, 0.5))
    torch.testing.assert_close(act.Swish(2.0)(x), x * torch.sigmoid(2.0 * x))
    torch.testing.assert_close(act.Softplus(2.0, 5.0)(x), nn.Softplus(2.0, 5.0)(x))
    torch.testing.assert_close(act.Softmax(0)(x), torch.softmax(x, 0))
    prelu = act.PReLU(5, 0.1)
    assert prelu.weight.shape == (5,)
    torch.testing.assert_close(prelu(x), torch.where(x > 0, x, 0.1 * x))
    with pytest.raises(ConfigError, match="num_parameters"):
        act.PReLU(0)


def test_get_activation_accepts_names_classes_and_modules():
    assert isinstance(get_activation("GELU_tanh"), act.GELUTanh)
    assert get_activation("gelu_tanh").approximate == "tanh"
    assert isinstance(get_activation(act.ReLU), act.ReLU)
    assert isinstance(get_activation(nn.Tanh), nn.Tanh)
    module = act.SiLU()
    assert get_activation(module) is module
    assert get_activation("relu") is not get_activation("relu")  # a fresh module each time


def test_get_activation_rejects_unknown_names_and_types():
    with pytest.raises(
        ConfigError, match=r"activation_fn 'nope' is not a registered activation.*gelu"
    ):
        get_activation("nope")
    with pytest.raises(ConfigError, match="activation_fn must be"):
        get_activation(3)
    with pytest.raises(ConfigError, match="activation_fn must be"):
        get_activation(F.relu)


def test_recorded_args_and_public_surface():
    assert init_args(act.GELU(approximate="tanh")) == {"approximate": "tanh"}
    assert init_args(act.GELUTanh()) == {}
    for name in act.__all__:
        assert hasattr(act, name)
    listed = {
        "ELU",
        "GELU",
        "GLU",
        "GeGLU",
        "Identity",
        "LeakyReLU",
        "LiGLU",
        "Mish",
        "PReLU",
        "ReGLU",
        "ReLU",
        "SELU",
        "Sigmoid",
        "SiLU",
        "Swish",
        "Softmax",
        "Softplus",
        "SwiGLU",
        "Tanh",
        "ActivationBase",
        "get_activation",
    }
    assert listed <= set(act.__all__)


def test_prelu_on_meta_allocates_nothing():
    with torch.device("meta"):
        prelu = act.PReLU(4096)
    assert prelu.weight.is_meta
