"""`SwiGLUFFN`: the SiLU-gated MLP of Llama, Qwen and Mistral."""

from __future__ import annotations

from olm.nn.activations import SwiGLU
from olm.nn.feedforward.gated_base import GatedFFNBase

__all__ = ["SwiGLUFFN"]


class SwiGLUFFN(GatedFFNBase):
    """``dropout(down_proj(value * silu(gate)))`` with ``value, gate = up_proj(x).chunk(2)``.

    Args:
        embed_dim (int): model width ``D``.
        hidden_dim (int | None): gated width ``h`` (Llama's ``intermediate_size``); ``None``
            means ``int(ff_multiplier * embed_dim)``. Default: None.
        dropout (float): dropout probability on the output. Default: 0.0.
        bias (bool): biases on both projections (modern models use False). Default: True.
        ff_multiplier (float): ``h / D`` when ``hidden_dim`` is not given. Default: 2.5.
    """

    family = "feedforward"

    def __init__(
        self,
        embed_dim: int,
        hidden_dim: int | None = None,
        dropout: float = 0.0,
        bias: bool = True,
        ff_multiplier: float = 2.5,
    ) -> None:
        super().__init__(embed_dim, hidden_dim, dropout, bias, ff_multiplier, SwiGLU())
