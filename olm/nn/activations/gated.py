"""Gated linear units: ``[..., 2h] -> [..., h]`` as ``value * act(gate)``.

The input's last dimension is split in half: the first half is the value, the second the
gate (``value, gate = x.chunk(2, -1)``). A fused up-projection ``D -> 2h`` in front of these
therefore holds the value rows first and the gate rows second.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from olm.core.registry import ACTIVATIONS
from olm.nn.activations.base import ActivationBase
from olm.nn.activations.pointwise import check_gelu_approximate

__all__ = ["GLU", "GeGLU", "LiGLU", "ReGLU", "SwiGLU"]


def _split(x: Tensor, owner: str) -> tuple[Tensor, Tensor]:
    if x.shape[-1] % 2:
        raise ValueError(
            f"{owner} expects an even last dimension [..., 2*h] (value then gate), "
            f"got {tuple(x.shape)}"
        )
    value, gate = x.chunk(2, dim=-1)
    return value, gate


@ACTIVATIONS.register("glu")
class GLU(ActivationBase):
    """``value * sigmoid(gate)`` (Dauphin et al. 2017)."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        value, gate = _split(x, "GLU")
        return value * torch.sigmoid(gate)


@ACTIVATIONS.register("swiglu")
class SwiGLU(ActivationBase):
    """``value * silu(gate)`` (Shazeer 2020), the Llama / Qwen / Mistral feed-forward gate."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        value, gate = _split(x, "SwiGLU")
        return value * F.silu(gate)


@ACTIVATIONS.register("geglu")
class GeGLU(ActivationBase):
    """``value * gelu(gate)`` (Shazeer 2020); Gemma uses the tanh form.

    Args:
        approximate (str): "none" (exact GELU) or "tanh". Default: "none".
    """

    family = "activation"

    def __init__(self, approximate: Literal["none", "tanh"] = "none") -> None:
        super().__init__()
        self.approximate = check_gelu_approximate("GeGLU", approximate)

    def forward(self, x: Tensor) -> Tensor:
        value, gate = _split(x, "GeGLU")
        return value * F.gelu(gate, approximate=self.approximate)


@ACTIVATIONS.register("reglu")
class ReGLU(ActivationBase):
    """``value * relu(gate)`` (Shazeer 2020)."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        value, gate = _split(x, "ReGLU")
        return value * F.relu(gate)


@ACTIVATIONS.register("liglu")
class LiGLU(ActivationBase):
    """``value * gate`` with no non-linearity: the bilinear layer of Shazeer 2020."""

    family = "activation"

    def forward(self, x: Tensor) -> Tensor:
        value, gate = _split(x, "LiGLU")
        return value * gate
