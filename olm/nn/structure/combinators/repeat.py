"""`Repeat`: N independent copies of a block, applied in sequence; optionally heterogeneous.

Real stacks are no longer one layer repeated: Gemma alternates local and global attention
(Gemma 3: five local to one global), gpt-oss alternates windowed and full layers. A
`Repeat` therefore takes either one factory (every layer alike) or several *variants* and a
cyclic ``pattern`` saying which variant each layer is: layer ``i`` is built by
``variants[pattern[i % len(pattern)]]``. A pattern as long as the stack states every
layer (per-index overrides). Each layer is still built by calling its factory, so every
copy has fresh weights.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Union

from torch import Tensor, nn

from olm.core.errors import ConfigError
from olm.core.patterns import layer_pattern
from olm.nn.structure.combinators.base import BaseCombinator, _forward_module

__all__ = ["Repeat", "layer_pattern"]

Factory = Callable[[], nn.Module]


def _check_factory(func: Any, where: str) -> None:
    if not callable(func) or isinstance(func, nn.Module):
        raise TypeError(
            f"Repeat {where} must be a factory such as `lambda: Block([...])`, "
            f"not {type(func).__name__}"
        )



class Repeat(BaseCombinator):
    """Calls a factory ``num_repeat`` times, so every copy has fresh weights.

    ``Repeat(lambda: layer(), 12)`` stacks 12 identical layers. With several factories
    (variants) and a cyclic ``pattern``, layers differ:
    ``Repeat([lambda: local(), lambda: global_()], 26, pattern=[0, 0, 0, 0, 0, 1])``
    makes five local layers, then one global, and so on.

    Args:
        module_func (Callable[[], nn.Module] | list[Callable[[], nn.Module]]): a factory,
            usually a ``lambda``, or a list of them (the variants).
        num_repeat (int): how many layers (>= 1).
        pattern (list[int] | None): which variant each layer uses, cycled: layer ``i`` uses
            ``pattern[i % len(pattern)]``. Default: the variants in order.
    """

    family = "structure"

    def __init__(
        self,
        module_func: Union[Factory, Sequence[Factory]],
        num_repeat: int,
        pattern: list[int] | None = None,
    ) -> None:
        super().__init__()
        if isinstance(module_func, (list, tuple)):
            if not module_func:
                raise ConfigError("Repeat needs at least one variant factory")
            variants = list(module_func)
            for i, func in enumerate(variants):
                _check_factory(func, f"variant {i}")
        else:
            _check_factory(module_func, "module_func")
            variants = [module_func]
        if isinstance(num_repeat, bool) or not isinstance(num_repeat, int) or num_repeat < 1:
            raise ValueError(f"Repeat num_repeat must be a positive integer, got {num_repeat!r}")
        self.num_repeat = num_repeat
        self.layer_variants = layer_pattern(pattern, len(variants), num_repeat)
        self.pattern = None if pattern is None else list(pattern)
        self.variants = variants
        self.module = variants[0] if len(variants) == 1 else variants
        self.stack = nn.ModuleList(variants[v]() for v in self.layer_variants)

    @property
    def num_variants(self) -> int:
        """How many different layer factories the stack cycles through."""
        return len(self.variants)

    def first_of_variant(self, variant: int) -> int:
        """The index of the first layer built by ``variant``."""
        return self.layer_variants.index(variant)

    def forward(self, x: Tensor, **kwargs: Any) -> Tensor:
        for layer in self.stack:
            x = _forward_module(layer, x, **kwargs)
        return x

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["module"] = None
        state["variants"] = None
        return state
