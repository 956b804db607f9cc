"""`Slot`: where one canonical tensor lives inside an `olm` model.

Most canonical tensors are a whole Parameter; the gated feed-forwards fuse Hugging Face's
``gate_proj`` and ``up_proj`` into one ``up_proj`` (value rows first, then gate rows), so a
slot can also be a row range of a Parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["Slot"]


@dataclass
class Slot:
    """A Parameter, or rows ``start:stop`` of one.

    Args:
        param (nn.Parameter): the parameter.
        rows (tuple[int, int] | None): the row range, or None for the whole tensor.
    """

    param: nn.Parameter
    rows: tuple[int, int] | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        if self.rows is None:
            return tuple(self.param.shape)
        start, stop = self.rows
        return (stop - start, *self.param.shape[1:])

    def value(self) -> torch.Tensor:
        t = self.param.detach()
        return t if self.rows is None else t[self.rows[0] : self.rows[1]]

    def assign(self, tensor: torch.Tensor) -> None:
        with torch.no_grad():
            target = self.param if self.rows is None else self.param[self.rows[0] : self.rows[1]]
            target.copy_(tensor.to(dtype=target.dtype, device=target.device))
