"""`Linear`: ``torch.nn.Linear`` that also remembers its constructor arguments."""

from __future__ import annotations

from torch import nn

from olm.core.capture import Component

__all__ = ["Linear"]


class Linear(nn.Linear, Component):
    """A plain ``nn.Linear`` (same parameters, same state-dict keys) that is an `olm` component.

    It exists so a bare projection placed in a ``Block`` can be described as data like every
    other part; the maths is exactly ``torch.nn.Linear``'s.

    Args:
        in_features (int): size of each input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: True.
    """

    family = "feedforward"  # a single projection; the palette lists it with the FFNs

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__(in_features, out_features, bias=bias)
