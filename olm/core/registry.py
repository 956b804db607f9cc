"""String registries: one place where a name turns into a class."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

__all__ = ["Registry", "ACTIVATIONS", "NORMS", "ATTN", "POS_EMB", "MOE", "MODELS", "LOSSES"]

T = TypeVar("T")


class Registry:
    """A name → object table that refuses duplicates and names what it knows on a miss."""

    def __init__(self, kind: str = "component") -> None:
        self.kind = kind
        self._items: dict[str, Any] = {}
        self.loader: Callable[[str], None] | None = None

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> Any:
        if name not in self._items and self.loader is not None:
            self.loader(name)  # e.g. import the module defining a lazily exported preset
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"Unknown component: {name}. Registered: {sorted(self._items)}") from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def items(self):
        return self._items.items()


ACTIVATIONS = Registry("activation")
NORMS = Registry("norm")
ATTN = Registry("attention")
POS_EMB = Registry("positional embedding")
MOE = Registry("mixture of experts")
MODELS = Registry("model")
LOSSES = Registry("loss")
