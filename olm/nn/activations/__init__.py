"""Activation functions as modules, each registered in ``ACTIVATIONS`` by name."""

from olm.nn.activations.base import ActivationBase
from olm.nn.activations.gated import GLU, GeGLU, LiGLU, ReGLU, SwiGLU
from olm.nn.activations.lookup import get_activation
from olm.nn.activations.pointwise import (
    ELU,
    GELU,
    SELU,
    GELUTanh,
    Identity,
    LeakyReLU,
    Mish,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Swish,
    Tanh,
)

__all__ = [
    "ELU",
    "GELU",
    "GLU",
    "SELU",
    "ActivationBase",
    "GELUTanh",
    "GeGLU",
    "Identity",
    "LeakyReLU",
    "LiGLU",
    "Mish",
    "PReLU",
    "ReGLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "SwiGLU",
    "Swish",
    "Tanh",
    "get_activation",
]
