"""`QKVProjection`: three independent input projections for custom attention layers."""

from __future__ import annotations

import math
from typing import Literal

from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.core.validation import check_positive_int

__all__ = ["QKVProjection"]

_INITS = ("xavier", "kaiming", "normal")


class QKVProjection(Component):
    """Projects ``x [..., dim_in]`` to queries, keys and values with separate weights.

    A helper for writing one's own attention; it returns a tuple, so it is a part inside
    a component rather than a node of its own (no palette family). Biases start at zero.

    Args:
        dim_in (int): input width.
        dim_q (int): query width.
        dim_k (int): key width.
        dim_v (int): value width.
        bias (bool): learn biases. Default: True.
        init (str): weight initialisation, "xavier" (uniform), "kaiming" (uniform) or
            "normal" (std 0.02). Default: "xavier".
    """

    family = None

    def __init__(
        self,
        dim_in: int,
        dim_q: int,
        dim_k: int,
        dim_v: int,
        bias: bool = True,
        init: Literal["xavier", "kaiming", "normal"] = "xavier",
    ) -> None:
        super().__init__()
        for name, value in (
            ("dim_in", dim_in),
            ("dim_q", dim_q),
            ("dim_k", dim_k),
            ("dim_v", dim_v),
        ):
            check_positive_int("QKVProjection", name, value)
        if init not in _INITS:
            raise ConfigError(f"QKVProjection init must be one of {list(_INITS)}, got {init!r}")
        self.init = init
        self.W_q = nn.Linear(dim_in, dim_q, bias=bias)
        self.W_k = nn.Linear(dim_in, dim_k, bias=bias)
        self.W_v = nn.Linear(dim_in, dim_v, bias=bias)
        for linear in (self.W_q, self.W_k, self.W_v):
            self._init_linear(linear)

    def _init_linear(self, linear: nn.Linear) -> None:
        # Shape-only initialisers: fine on the meta device too.
        if self.init == "xavier":
            nn.init.xavier_uniform_(linear.weight)
        elif self.init == "kaiming":
            nn.init.kaiming_uniform_(linear.weight, a=math.sqrt(5))
        else:
            nn.init.normal_(linear.weight, mean=0.0, std=0.02)
        if linear.bias is not None:
            nn.init.zeros_(linear.bias)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(Q, K, V)``: ``[..., dim_q]``, ``[..., dim_k]``, ``[..., dim_v]``."""
        return self.W_q(x), self.W_k(x), self.W_v(x)
