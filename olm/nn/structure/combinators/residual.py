"""`Residual`: a skip connection around a block."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from olm.nn.structure.combinators.base import BaseCombinator, _forward_module

__all__ = ["Residual"]


class Residual(BaseCombinator):
    """``x + block(x)``: the pre-norm transformer's skip connection.

    Args:
        block (nn.Module): the wrapped module; its output must have the input's shape.
    """

    family = "structure"

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        if not isinstance(block, nn.Module):
            raise TypeError(f"Residual block must be an nn.Module, got {type(block).__name__}")
        self.block = block

    def forward(self, x: Tensor, **kwargs: Any) -> Tensor:
        return x + _forward_module(self.block, x, **kwargs)
