"""Repeat nodes in the document: variants (children) and the layer pattern.

A ``Repeat`` node holds one child per *variant* (usually one) and may carry a ``pattern``
parameter: a list of variant indices, cycled over the ``num_repeat`` layers. Every part of
the package that needs "which layer is which" (build, stats, validate, printing, the
canvas' layer strip) asks this module, so the rule is spelled once (and matches
:func:`olm.nn.structure.combinators.repeat.layer_pattern`, which the built module uses).
"""

from __future__ import annotations

import re
from typing import Any

from olm.core.errors import ConfigError
from olm.core.limits import check_value
from olm.core.patterns import layer_pattern
from olm.graph.document import Node
from olm.graph.values import ExprError, resolve

__all__ = [
    "PATTERN", "layer_variants", "variant_counts", "pattern_problem", "compress_pattern",
    "pattern_from_text",
]

PATTERN = "pattern"


def layer_variants(node: Node, env: dict[str, Any]) -> list[int]:
    """The variant index of each layer of a ``Repeat`` node.

    Raises:
        ConfigError: the count or pattern cannot be resolved or does not fit the variants.
    """
    count = resolve(node.params.get("num_repeat", 1), env)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(f"Repeat num_repeat must be a positive integer, got {count!r}")
    problem = check_value("num_repeat", "int", count)  # before a list of that length exists
    if problem is not None:
        raise ConfigError(problem)
    pattern = node.params.get(PATTERN)
    if pattern is not None:
        pattern = resolve(pattern, env)
    return layer_pattern(pattern, max(len(node.children), 1), count)


def variant_counts(node: Node, env: dict[str, Any]) -> list[int]:
    """How many layers each variant (child) of a ``Repeat`` node makes."""
    counts = [0] * max(len(node.children), 1)
    for v in layer_variants(node, env):
        counts[v] += 1
    return counts


def pattern_problem(node: Node, env: dict[str, Any]) -> str | None:
    """Why the node's pattern does not fit its variants, or None when it does."""
    if PATTERN not in node.params and len(node.children) <= 1:
        return None
    try:
        layer_variants(node, env)
    except (ConfigError, ExprError, TypeError) as err:
        return str(err)
    return None


def compress_pattern(pattern: list[int]) -> list[tuple[int, int]]:
    """Runs of equal entries: ``[0, 0, 0, 1]`` → ``[(0, 3), (1, 1)]``."""
    runs: list[tuple[int, int]] = []
    for p in pattern:
        if runs and runs[-1][0] == p:
            runs[-1] = (p, runs[-1][1] + 1)
        else:
            runs.append((p, 1))
    return runs


def pattern_from_text(text: str, limit: int = 65_536) -> list[int]:
    """A pattern typed by a person: ``0 0 0 0 0 1``, ``[0, 0, 1]`` or ``A A B``.

    Raises:
        ConfigError: the text holds something other than variant numbers or letters.
    """
    tokens = re.findall(r"[A-Za-z]|\d+|\S", text)
    out = []
    for token in tokens:
        if token in "[],;":
            continue
        if token.isdigit():
            out.append(int(token))
        elif token.isalpha():
            out.append(ord(token.upper()) - ord("A"))
        else:
            raise ConfigError(f"a layer pattern lists variants (0 1 ... or A B ...), not {token!r}")
        if len(out) > limit:
            raise ConfigError(f"a layer pattern may hold at most {limit:,} entries")
    if not out:
        raise ConfigError("a layer pattern needs at least one variant")
    return out
