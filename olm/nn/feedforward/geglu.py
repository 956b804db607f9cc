"""`GeGLUFFN`: the GELU-gated MLP of Gemma."""

from __future__ import annotations

from typing import Literal

from olm.nn.activations import GeGLU
from olm.nn.activations.pointwise import check_gelu_approximate
from olm.nn.feedforward.gated_base import GatedFFNBase

__all__ = ["GeGLUFFN"]


class GeGLUFFN(GatedFFNBase):
    """``dropout(down_proj(value * gelu(gate)))`` with ``value, gate = up_proj(x).chunk(2)``.

    Args:
        embed_dim (int): model width ``D``.
        hidden_dim (int | None): gated width ``h``; ``None`` means
            ``int(ff_multiplier * embed_dim)``. Default: None.
        dropout (float): dropout probability on the output. Default: 0.0.
        bias (bool): biases on both projections. Default: True.
        ff_multiplier (float): ``h / D`` when ``hidden_dim`` is not given. Default: 4.0.
        approximate (str): "none" (exact GELU) or "tanh" (Gemma 2's
            ``gelu_pytorch_tanh``). Default: "none".
    """

    family = "feedforward"

    def __init__(
        self,
        embed_dim: int,
        hidden_dim: int | None = None,
        dropout: float = 0.0,
        bias: bool = True,
        ff_multiplier: float = 4.0,
        approximate: Literal["none", "tanh"] = "none",
    ) -> None:
        check_gelu_approximate("GeGLUFFN", approximate)
        super().__init__(embed_dim, hidden_dim, dropout, bias, ff_multiplier, GeGLU(approximate))
        self.approximate = approximate
