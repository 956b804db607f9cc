"""`Parallel`: the same input through several branches, merged into one output."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Literal, Union

import torch
from torch import Tensor, nn

from olm.nn.structure.combinators.base import BaseCombinator, _forward_module

__all__ = ["Parallel", "MERGES"]


def _sum(outputs: list[Tensor], dim: int) -> Tensor:
    return torch.stack(outputs, dim).sum(dim)


def _mean(outputs: list[Tensor], dim: int) -> Tensor:
    return torch.stack(outputs, dim).mean(dim)


def _concat(outputs: list[Tensor], dim: int) -> Tensor:
    return torch.cat(outputs, dim)


MERGES: dict[str, Callable[[list[Tensor], int], Tensor]] = {
    "sum": _sum,
    "mean": _mean,
    "concat": _concat,
}


class Parallel(BaseCombinator):
    """Feeds ``x`` to every branch and merges the outputs.

    Args:
        blocks (Iterable[nn.Module]): the branches.
        merge (str | Callable): "sum" (default), "mean", "concat", or a callable
            ``merge(outputs, dim)``.
        dim (int): the dimension to merge along. Default: -1.
    """

    family = "structure"

    def __init__(
        self,
        blocks: Iterable[nn.Module],
        merge: Union[Literal["sum", "mean", "concat"], Callable, None] = "sum",
        dim: int = -1,
    ) -> None:
        super().__init__()
        blocks = list(blocks)
        if not blocks:
            raise ValueError("Parallel needs at least one branch")
        if merge is None:
            merge = "sum"
        if isinstance(merge, str):
            if merge not in MERGES:
                raise ValueError(f"Parallel merge must be one of {sorted(MERGES)}, got {merge!r}")
            self.merge_name = merge
            self.merge = MERGES[merge]
        elif callable(merge):
            self.merge_name = None
            self.merge = merge
        else:
            raise TypeError(f"Parallel merge must be a name or a callable, got {merge!r}")
        self.blocks = nn.ModuleList(blocks)
        self.dim = dim

    def forward(self, x: Tensor, **kwargs: Any) -> Tensor:
        outputs = [_forward_module(b, x, **kwargs) for b in self.blocks]
        return self.merge(outputs, self.dim)
