"""`ClassicFFN`: the GPT-2 style two-layer MLP."""

from __future__ import annotations

from typing import Union

from torch import Tensor, nn

from olm.core.validation import check_positive_int
from olm.nn.activations import GELU, get_activation
from olm.nn.feedforward.base import FeedForwardBase

__all__ = ["ClassicFFN"]


class ClassicFFN(FeedForwardBase):
    """Two-layer MLP ``dropout(down_proj(act(up_proj(x))))`` (GPT-2, OPT).

    Args:
        embed_dim (int): model width ``D``.
        hidden_dim (int | None): inner width; ``None`` means ``4 * embed_dim``. Default: None.
        activation_fn (str | nn.Module | None): a registry name ("gelu", "gelu_tanh",
            "relu", ...), an activation module or class; ``None`` means exact GELU. Prefer
            names: they keep the model describable as data. Default: None.
        dropout (float): dropout probability on the output. Default: 0.0.
        bias (bool): biases on both projections. Default: True.
    """

    family = "feedforward"

    def __init__(
        self,
        embed_dim: int,
        hidden_dim: int | None = None,
        activation_fn: Union[str, nn.Module, None] = None,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__(embed_dim, dropout)
        if hidden_dim is None:
            hidden_dim = 4 * embed_dim
        self.hidden_dim = check_positive_int("ClassicFFN", "hidden_dim", hidden_dim)
        self.up_proj = nn.Linear(embed_dim, hidden_dim, bias=bias)
        self.act = GELU() if activation_fn is None else get_activation(activation_fn)
        self.down_proj = nn.Linear(hidden_dim, embed_dim, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x)
        # [..., D] -> [..., h] -> [..., D]
        return self._drop(self.down_proj(self.act(self.up_proj(x))))
