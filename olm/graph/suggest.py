"""Values a replacement can derive instead of leaving them missing.

When Replace with… turns a part into one that needs a value the old part did not have,
some of those values follow from what is there: grouped-query attention's key/value heads
from the current query heads (a quarter of them, as in the reference page's GQA example:
16 query heads sharing 4 key/value heads). Each filled value comes with a sentence saying
what was filled and why, which the Studio shows in the status line. The lessons' "show
me" for grouped-query attention asks :func:`kv_heads_for` too.
"""

from __future__ import annotations

from typing import Any

from olm.graph.catalog import ComponentSpec
from olm.graph.values import resolve

__all__ = ["derive_missing", "kv_heads_for"]


def kv_heads_for(num_heads: int) -> int:
    """Key/value heads for ``num_heads`` query heads: the largest divisor ≤ a quarter."""
    target = max(1, num_heads // 4)
    return max(d for d in range(1, target + 1) if num_heads % d == 0)


def _value(params: dict[str, Any], name: str, env: dict[str, Any]) -> Any:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return resolve(raw, env)
    except Exception:  # noqa: BLE001 - an unresolvable binding derives nothing
        return None


def derive_missing(spec: ComponentSpec, params: dict[str, Any],
                   env: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """``(parameter, value, why)`` for each required parameter of ``spec`` that ``params``
    lacks and that can be derived from the others (``env``: the model's variables)."""
    out: list[tuple[str, Any, str]] = []
    for param in spec.params:
        if not param.required or param.name in params:
            continue
        if param.name == "num_kv_heads":
            heads = _value(params, "num_heads", env)
            if isinstance(heads, int) and heads > 0:
                kv = kv_heads_for(heads)
                out.append((param.name, kv, f"num_kv_heads = {kv}: the {heads} query heads "
                            f"share {kv} key/value head{'s' if kv > 1 else ''}"))
    return out
