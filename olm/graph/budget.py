"""How many modules building a document would create, counted before building it.

Each ``Repeat`` count and each ``num_experts`` is within its own range, yet
``Repeat(1024)`` of a mixture of 4,096 experts asks for four million modules, and nested
``Repeat``s multiply. Building that (even on the ``meta`` device) would run for hours.
:func:`budget_problem` counts the instances from the document alone, iteratively and in
exact integers, and names the limit (:mod:`olm.core.limits`) that the total breaks.
"""

from __future__ import annotations

from typing import Any

from olm.core.limits import MAX_EXPERT_INSTANCES, MAX_LEAF_INSTANCES
from olm.graph.document import Graph
from olm.graph.values import ExprError, resolve

__all__ = ["instance_counts", "budget_problem"]


def _count(value: Any, env: dict[str, Any]) -> int:
    try:
        n = resolve(value, env)
    except (ExprError, TypeError, ValueError):
        return 1
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1


def instance_counts(graph: Graph, env: dict[str, Any] | None = None) -> tuple[int, int]:
    """``(leaf components, experts)`` that :func:`olm.graph.build` would create.

    Args:
        graph (Graph): the document (may be invalid: unreadable counts count as 1).
        env (dict | None): evaluated variables; default ``graph.variable_values()``.
    """
    if env is None:
        env, _ = graph.variable_values()
    leaves = experts = 0
    stack = [(graph.root, 1)]
    seen: set[str] = set()
    while stack:
        node_id, times = stack.pop()
        node = graph.nodes.get(node_id)
        if node is None or node_id in seen:
            continue
        seen.add(node_id)
        if node.type == "Repeat":
            times *= _count(node.params.get("num_repeat", 1), env)
        if not node.is_container:
            leaves += times
            if "num_experts" in node.params:
                experts += times * _count(node.params["num_experts"], env)
        stack.extend((child, times) for child in node.module_params().values())
        stack.extend((child, times) for child in node.children)
    return leaves, experts


def budget_problem(graph: Graph, env: dict[str, Any] | None = None) -> str | None:
    """Why building ``graph`` would create too many modules; ``None`` when it would not."""
    leaves, experts = instance_counts(graph, env)
    if leaves > MAX_LEAF_INSTANCES:
        return (
            f"the model would create {leaves:,} components (repeats multiplied out); "
            f"at most {MAX_LEAF_INSTANCES:,} are allowed"
        )
    if experts > MAX_EXPERT_INSTANCES:
        return (
            f"the model would create {experts:,} experts (repeats multiplied out); "
            f"at most {MAX_EXPERT_INSTANCES:,} are allowed"
        )
    return None
