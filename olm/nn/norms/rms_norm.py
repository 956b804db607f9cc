"""`RMSNorm`: scale by the root mean square, no centring (Llama, Qwen, Mistral, Gemma)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.registry import NORMS
from olm.nn.norms.base import NormBase

__all__ = ["RMSNorm"]


@NORMS.register("rms_norm")
class RMSNorm(NormBase):
    """Root-mean-square normalisation over the last dimension, in float32 and cast back.

    ``y = x / sqrt(mean(x**2) + eps) * weight`` (Zhang & Sennrich 2019). Works on any
    ``[..., d_model]`` input, so the same class serves the residual stream ``[B, N, D]``
    and per-head QK-norm ``[B, H, N, hd]``. Uses the fused ``F.rms_norm`` kernel.

    Args:
        d_model (int): size of the normalised (last) dimension.
        eps (float): added to the mean square for numerical stability. Default: 1e-5.
    """

    family = "norm"

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__(d_model, eps)
        self.weight = nn.Parameter(torch.ones(d_model))

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x)
        # The weight multiplies in float32 too, then one cast back to the input dtype.
        return F.rms_norm(x.float(), self.normalized_shape, self.weight.float(), self.eps).to(
            x.dtype
        )
