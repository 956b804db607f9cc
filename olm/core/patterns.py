"""Layer patterns of a heterogeneous ``Repeat``: which variant builds each layer.

The rule lives here, below ``olm.nn`` and ``olm.graph``, so the module (which builds the
layers) and the document (which counts them without importing torch) share one
definition.
"""

from __future__ import annotations

from collections.abc import Sequence

from olm.core.errors import ConfigError

__all__ = ["layer_pattern"]


def layer_pattern(pattern: Sequence[int] | None, num_variants: int, num_repeat: int) -> list[int]:
    """The variant index of every layer, checking ``pattern`` against the variants.

    Args:
        pattern (Sequence[int] | None): cyclic variant indices; ``None`` cycles through the
            variants in order.
        num_variants (int): how many variants there are.
        num_repeat (int): how many layers.

    Raises:
        ConfigError: the pattern is empty, names a variant that does not exist, or leaves a
            variant unused in the first ``num_repeat`` layers.
    """
    if pattern is None:
        pattern = list(range(num_variants))
    if isinstance(pattern, (str, bytes)) or not isinstance(pattern, Sequence) or not pattern:
        raise ConfigError(f"Repeat pattern must be a non-empty list of variant indices, got {pattern!r}")
    for p in pattern:
        if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < num_variants:
            raise ConfigError(
                f"Repeat pattern entry {p!r} is not a variant index (0 to {num_variants - 1})"
            )
    layers = [pattern[i % len(pattern)] for i in range(num_repeat)]
    unused = sorted(set(range(num_variants)) - set(layers))
    if unused:
        raise ConfigError(
            f"Repeat variant {unused[0]} is never used: the pattern {list(pattern)} over "
            f"{num_repeat} layers never picks it"
        )
    return layers
