"""`LayerNorm`: mean-centred, variance-scaled normalisation (GPT-2, OPT, OLMo)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.registry import NORMS
from olm.nn.norms.base import NormBase

__all__ = ["LayerNorm"]


@NORMS.register("layer_norm")
class LayerNorm(NormBase):
    """Layer normalisation over the last dimension, computed in float32 and cast back.

    ``y = (x - mean) / sqrt(var + eps) * gamma + beta`` with the biased variance. Uses the
    fused ``F.layer_norm`` kernel.

    Args:
        d_model (int): size of the normalised (last) dimension.
        eps (float): added to the variance for numerical stability. Default: 1e-5.
        elementwise_affine (bool): learn the scale ``gamma`` (and shift ``beta``); OLMo's
            norms have none. Default: True.
        bias (bool): learn the shift ``beta`` when affine. Default: True.
    """

    family = "norm"

    def __init__(
        self,
        d_model: int,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__(d_model, eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.gamma = nn.Parameter(torch.ones(d_model)) if self.elementwise_affine else None
        has_beta = self.elementwise_affine and bias
        self.beta = nn.Parameter(torch.zeros(d_model)) if has_beta else None

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x)
        gamma = None if self.gamma is None else self.gamma.float()
        beta = None if self.beta is None else self.beta.float()
        # [..., D] -> [..., D]; .float() is free for float32 inputs.
        return F.layer_norm(x.float(), self.normalized_shape, gamma, beta, self.eps).to(x.dtype)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, elementwise_affine={self.elementwise_affine}"
