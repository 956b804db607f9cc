"""Element-wise activations: each maps ``[..., D]`` to ``[..., D]`` with a fused torch op."""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.core.registry import ACTIVATIONS
from olm.nn.activations.base import ActivationBase

__all__ = [
    "ELU",
    "GELU",
    "GELUTanh",
    "Identity",
    "LeakyReLU",
    "Mish",
    "PReLU",
    "ReLU",
    "SELU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Swish",
    "Tanh",
]

_GELU_APPROXIMATIONS = ("none", "tanh")


def check_gelu_approximate(owner: str, approximate: str) -> str:
    """GELU comes exact ("none") or with the tanh approximation GPT-2 and Gemma use."""
    if approximate not in _GELU_APPROXIMATIONS:
        raise ConfigError(
            f"{owner} approximate must be one of {list(_GELU_APPROXIMATIONS)}, got {approximate!r}"
        )
    return approximate


@ACTIVATIONS.register("identity")
class Identity(ActivationBase):
    """Returns its input unchanged (a placeholder where an activation slot is optional)."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return x


@ACTIVATIONS.register("relu")
class ReLU(ActivationBase):
    """``max(x, 0)`` (OPT's feed-forward)."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


@ACTIVATIONS.register("leaky_relu")
class LeakyReLU(ActivationBase):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise.

    Args:
        negative_slope (float): slope for negative inputs. Default: 0.01.
    """

    family = "activation"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)


@ACTIVATIONS.register("prelu")
class PReLU(ActivationBase):
    """Leaky ReLU whose negative slope is learned.

    Args:
        num_parameters (int): 1 (one shared slope) or the channel count. Default: 1.
        init (float): initial slope. Default: 0.25.
    """

    family = "activation"

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        if (
            isinstance(num_parameters, bool)
            or not isinstance(num_parameters, int)
            or num_parameters < 1
        ):
            raise ConfigError(
                f"PReLU num_parameters must be a positive integer, got {num_parameters!r}"
            )
        self.weight = nn.Parameter(torch.full((num_parameters,), float(init)))

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)


@ACTIVATIONS.register("elu")
class ELU(ActivationBase):
    """Exponential linear unit: ``x`` if positive else ``alpha * (exp(x) - 1)``.

    Args:
        alpha (float): saturation value for negative inputs. Default: 1.0.
    """

    family = "activation"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)


@ACTIVATIONS.register("selu")
class SELU(ActivationBase):
    """Self-normalising ELU with the fixed constants of Klambauer et al. 2017."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return F.selu(x)


@ACTIVATIONS.register("gelu")
class GELU(ActivationBase):
    """Gaussian error linear unit ``x * Phi(x)``, exact or tanh-approximated.

    Args:
        approximate (str): "none" (exact erf form) or "tanh" (GPT-2's form). Default: "none".
    """

    family = "activation"

    def __init__(self, approximate: Literal["none", "tanh"] = "none") -> None:
        super().__init__()
        self.approximate = check_gelu_approximate(type(self).__name__, approximate)

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


@ACTIVATIONS.register("gelu_tanh")
class GELUTanh(GELU):
    """GELU with the tanh approximation (GPT-2, Gemma); the registry's ``"gelu_tanh"``."""

    family = "activation"

    def __init__(self) -> None:
        super().__init__(approximate="tanh")


@ACTIVATIONS.register("silu")
class SiLU(ActivationBase):
    """Sigmoid linear unit ``x * sigmoid(x)`` (Swish with beta 1)."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


@ACTIVATIONS.register("swish")
class Swish(ActivationBase):
    """``x * sigmoid(beta * x)`` (Ramachandran et al. 2017); beta 1 is SiLU.

    Args:
        beta (float): the fixed slope inside the sigmoid. Default: 1.0.
    """

    family = "activation"

    def __init__(self, beta: float = 1.0) -> None:
        super().__init__()
        self.beta = float(beta)

    def forward(self, x: Tensor) -> Tensor:
        if self.beta == 1.0:
            return F.silu(x)
        return x * torch.sigmoid(self.beta * x)


@ACTIVATIONS.register("mish")
class Mish(ActivationBase):
    """``x * tanh(softplus(x))`` (Misra 2019)."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x)


@ACTIVATIONS.register("sigmoid")
class Sigmoid(ActivationBase):
    """Logistic function ``1 / (1 + exp(-x))``."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(x)


@ACTIVATIONS.register("tanh")
class Tanh(ActivationBase):
    """Hyperbolic tangent."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        return torch.tanh(x)


@ACTIVATIONS.register("softplus")
class Softplus(ActivationBase):
    """Smooth ReLU ``log(1 + exp(beta * x)) / beta``, linear above ``threshold``.

    Args:
        beta (float): sharpness. Default: 1.0.
        threshold (float): above ``beta * x > threshold`` the identity is used. Default: 20.0.
    """

    family = "activation"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = float(beta)
        self.threshold = float(threshold)

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)


@ACTIVATIONS.register("softmax")
class Softmax(ActivationBase):
    """Softmax along ``dim`` (the outputs along it sum to 1).

    Args:
        dim (int): the dimension to normalise. Default: -1.
    """

    family = "activation"

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, dim=self.dim)
