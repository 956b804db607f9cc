"""`GatedFFNBase`: the fused-projection gated MLP that SwiGLU and GeGLU share."""

from __future__ import annotations

from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.core.validation import check_positive, check_positive_int
from olm.nn.feedforward.base import FeedForwardBase

__all__ = ["GatedFFNBase"]


class GatedFFNBase(FeedForwardBase):
    """Abstract gated MLP ``down_proj(value * act(gate))`` with one fused up-projection.

    ``up_proj`` maps ``D -> 2h`` in a single matmul; its output splits into
    ``(value, gate)`` in that order, so the value rows are Hugging Face's ``up_proj`` and
    the gate rows its ``gate_proj``.

    Args:
        embed_dim (int): model width ``D``.
        hidden_dim (int | None): gated width ``h``; ``None`` means
            ``int(ff_multiplier * embed_dim)``.
        dropout (float): dropout probability on the output.
        bias (bool): biases on both projections.
        ff_multiplier (float): ``h / D`` when ``hidden_dim`` is not given (> 0).
        act (nn.Module): the gated activation, mapping ``[..., 2h] -> [..., h]``.
    """

    family = None

    def __init__(
        self,
        embed_dim: int,
        hidden_dim: int | None,
        dropout: float,
        bias: bool,
        ff_multiplier: float,
        act: nn.Module,
    ) -> None:
        super().__init__(embed_dim, dropout)
        owner = type(self).__name__
        self.ff_multiplier = check_positive(owner, "ff_multiplier", ff_multiplier)
        if hidden_dim is None:
            hidden_dim = int(ff_multiplier * embed_dim)
            if hidden_dim < 1:
                raise ConfigError(
                    f"{owner} hidden_dim int(ff_multiplier * embed_dim) = {hidden_dim} must be >= 1"
                )
        self.hidden_dim = check_positive_int(owner, "hidden_dim", hidden_dim)
        self.up_proj = nn.Linear(embed_dim, 2 * hidden_dim, bias=bias)  # rows: value, then gate
        self.act = act
        self.down_proj = nn.Linear(hidden_dim, embed_dim, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x)
        # [..., D] -> [..., 2h] -> [..., h] -> [..., D]
        return self._drop(self.down_proj(self.act(self.up_proj(x))))
