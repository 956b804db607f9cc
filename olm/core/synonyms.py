"""The one table of parameter-name synonyms: which names mean the same hyperparameter.

``Embedding(vocab_size, embedding_dim)``, ``RMSNorm(d_model)`` and
``MultiHeadAttention(embed_dims, ...)`` all take the model width under different names.
Everything that needs to know that reads it here: model variables
(:mod:`olm.graph.variables`), allowed ranges (:mod:`olm.core.limits`, which components
check before allocating, so the table sits in ``olm.core``), the structural diff's
recipe/size split (:mod:`olm.graph.diff`), the canvas's node text and the training
pre-flight. ``olm.graph.synonyms`` is the document layer's name for it. A new spelling is
added once, in :data:`SYNONYMS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SYNONYMS", "VARIABLE_CONCEPTS", "CANONICAL", "concept_of", "names_for",
           "first_value", "is_size_concept"]

# concept -> the parameter names that mean it (the concept's own name first when it is one).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "vocab_size": ("vocab_size",),
    "embed_dim": ("embed_dim", "embedding_dim", "embed_dims", "d_model"),
    "num_layers": ("num_repeat",),
    "num_heads": ("num_heads",),
    "num_kv_heads": ("num_kv_heads",),
    "head_dim": ("head_dim",),
    "hidden_dim": ("hidden_dim", "intermediate_size"),
    "max_seq_len": ("max_seq_len",),
    "num_experts": ("num_experts",),
    "top_k": ("top_k",),
    # Not model variables, but one idea under two names all the same.
    "window": ("sliding_window", "window_size"),
    "activation": ("activation_fn", "activation"),
}

# The concepts that become model variables, in the order the variables panel shows them.
VARIABLE_CONCEPTS: tuple[str, ...] = (
    "vocab_size", "embed_dim", "num_layers", "num_heads", "num_kv_heads", "head_dim",
    "hidden_dim", "max_seq_len", "num_experts", "top_k",
)

# Concepts that are a model's *size* (dimensions and counts) rather than its recipe.
_SIZE_CONCEPTS = frozenset(VARIABLE_CONCEPTS) | {"window"}

# parameter name -> the model variable it naturally refers to.
CANONICAL: dict[str, str] = {
    name: concept for concept in VARIABLE_CONCEPTS for name in SYNONYMS[concept]
}

_CONCEPT_OF: dict[str, str] = {
    name: concept for concept, names in SYNONYMS.items() for name in (concept, *names)
}


def concept_of(param: str) -> str | None:
    """The concept a parameter called ``param`` stands for (``"d_model"`` -> ``"embed_dim"``)."""
    return _CONCEPT_OF.get(param)


def names_for(concept: str) -> tuple[str, ...]:
    """Every parameter name meaning ``concept``, the concept's own name included."""
    names = SYNONYMS.get(concept, ())
    return names if concept in names else (concept, *names)


def first_value(params: Mapping[str, Any], concept: str, default: Any = None) -> Any:
    """The value of the first parameter in ``params`` that means ``concept``."""
    for name in names_for(concept):
        if name in params:
            return params[name]
    return default


def is_size_concept(param: str) -> bool:
    """Whether parameter ``param`` is one of a model's dimensions or counts."""
    return _CONCEPT_OF.get(param) in _SIZE_CONCEPTS
