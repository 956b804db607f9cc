"""`Repeat`: N independent copies of a block, applied in sequence."""

from __future__ import annotations

from typing import Any, Callable

from torch import Tensor, nn

from olm.nn.structure.combinators.base import BaseCombinator, _forward_module

__all__ = ["Repeat"]


class Repeat(BaseCombinator):
    """Calls ``module_func()`` ``num_repeat`` times, so every copy has fresh weights.

    Args:
        module_func (Callable[[], nn.Module]): a factory, usually a ``lambda``.
        num_repeat (int): how many copies (>= 1).
    """

    family = "structure"

    def __init__(self, module_func: Callable[[], nn.Module], num_repeat: int) -> None:
        super().__init__()
        if not callable(module_func) or isinstance(module_func, nn.Module):
            raise TypeError(
                "Repeat module_func must be a factory such as `lambda: Block([...])`, "
                f"not {type(module_func).__name__}"
            )
        if isinstance(num_repeat, bool) or not isinstance(num_repeat, int) or num_repeat < 1:
            raise ValueError(f"Repeat num_repeat must be a positive integer, got {num_repeat!r}")
        self.num_repeat = num_repeat
        self.module = module_func
        self.stack = nn.ModuleList(module_func() for _ in range(num_repeat))

    def forward(self, x: Tensor, **kwargs: Any) -> Tensor:
        for layer in self.stack:
            x = _forward_module(layer, x, **kwargs)
        return x

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["module"] = None
        return state
