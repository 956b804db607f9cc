"""Model variables: which parameter names mean the same hyperparameter.

``Embedding(vocab_size, embedding_dim)``, ``RMSNorm(d_model)`` and
``MultiHeadAttention(embed_dims, ...)`` all take the model width under different names.
:data:`~olm.graph.synonyms.CANONICAL` (the one synonym table) maps each such name to one
variable name, so that a document read from
a module gets ``embed_dim = 4096`` once at the top and every node refers to it, and a
swapped-in component finds its values among the variables.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from olm.graph.document import Graph
from olm.graph.synonyms import CANONICAL, VARIABLE_CONCEPTS, names_for
from olm.graph.values import is_tag

__all__ = ["CANONICAL", "VARIABLE_ORDER", "WIDTH_PARAMS", "canonical_name", "extract_variables"]

VARIABLE_ORDER = VARIABLE_CONCEPTS
# Parameter names that give a component's input (and output) width, in priority order.
WIDTH_PARAMS = (*names_for("embed_dim"), "in_features")


def canonical_name(param: str) -> str | None:
    """The variable a parameter called ``param`` naturally refers to, if any."""
    return CANONICAL.get(param)


def extract_variables(graph: Graph) -> None:
    """Turn repeated literal hyperparameters into model variables, in place.

    For every canonical name, the most common integer value among the parameters that
    map to it becomes the variable; parameters holding that value then refer to it, and
    parameters holding another value (say a second, smaller width) stay literal.
    """
    occurrences: dict[str, list[tuple[str, str, Any]]] = {}
    for node_id in graph.walk():
        node = graph.nodes[node_id]
        for param, value in node.params.items():
            name = CANONICAL.get(param)
            if name is None or is_tag(value):
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            occurrences.setdefault(name, []).append((node_id, param, value))
    found: dict[str, int] = {}
    for name, uses in occurrences.items():
        if name in graph.variables:
            continue
        value, _ = Counter(v for _, _, v in uses).most_common(1)[0]
        found[name] = value
        for node_id, param, v in uses:
            if v == value:
                graph.nodes[node_id].params[param] = {"var": name}
    ordered = {k: found[k] for k in VARIABLE_ORDER if k in found}
    ordered.update({k: v for k, v in found.items() if k not in ordered})
    graph.variables.update(ordered)
