"""Allowed ranges of well-known hyperparameters, in one table.

The catalog attaches these to every parameter of that name, the inspector uses them for
its spin boxes, and :func:`check_value` refuses absurd values (``embed_dim = 10**9``)
before anything is built or allocated. A parameter not in the table gets a sane default
range for its kind.
"""

from __future__ import annotations

import math
from typing import Any

from olm.graph.synonyms import names_for

__all__ = ["RANGES", "DEFAULT_RANGES", "check_value", "range_for"]

_WIDTH = (1, 65_536)
_BIG_INT = (-(2**31), 2**31 - 1)

# concept -> (low, high), given to every parameter name of that concept (the synonym table).
_CONCEPT_RANGES: dict[str, tuple[float, float]] = {
    "vocab_size": (1, 4_194_304),
    "embed_dim": _WIDTH,
    "num_heads": (1, 1024),
    "num_kv_heads": (1, 1024),
    "head_dim": (1, 4096),
    "hidden_dim": (1, 1_048_576),
    "max_seq_len": (1, 16_777_216),
    "num_layers": (1, 1024),
    "num_experts": (1, 4096),
    "top_k": (1, 64),
    "window": (1, 16_777_216),
}
# name -> (low, high); floats with a low of 0.0 exclusive are noted in EXCLUSIVE_LOW.
RANGES: dict[str, tuple[float, float]] = {
    **{name: bounds for concept, bounds in _CONCEPT_RANGES.items()
       for name in names_for(concept)},
    "in_features": _WIDTH,
    "out_features": (1, 4_194_304),
    "original_max_seq_len": (1, 16_777_216),
    "num_shared_experts": (0, 64),
    "dropout": (0.0, 0.999),
    "eps": (0.0, 1.0),
    "rms_norm_eps": (0.0, 1.0),
    "rope_theta": (1.0, 1e12),
    "base": (1.0, 1e12),
    "ff_multiplier": (0.01, 64.0),
    "scaling_factor": (0.01, 1024.0),
    "aux_loss_coef": (0.0, 100.0),
    "logit_softcap": (0.0, 1e6),
    "attn_logit_softcap": (0.0, 1e6),
    "final_logit_softcap": (0.0, 1e6),
    "rotary_percentage": (0.0, 1.0),
    "partial_rotary_factor": (0.0, 1.0),
}
EXCLUSIVE_LOW = {
    "eps",
    "rms_norm_eps",
    "logit_softcap",
    "attn_logit_softcap",
    "final_logit_softcap",
    "rotary_percentage",
    "partial_rotary_factor",
}
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "int": _BIG_INT,
    "float": (-1e15, 1e15),
}


def range_for(name: str, kind: str) -> tuple[float, float] | None:
    """The allowed (low, high) of parameter ``name`` of kind ``"int"``/``"float"``."""
    if name in RANGES:
        return RANGES[name]
    return DEFAULT_RANGES.get(kind)


def _fmt(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) or float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def check_value(name: str, kind: str, value: Any, allow_none: bool = False) -> str | None:
    """Why ``value`` is not acceptable for parameter ``name`` of ``kind``; ``None`` if it is.

    Args:
        name (str): the parameter name (looked up in :data:`RANGES`).
        kind (str): ``"int"``, ``"float"``, ``"bool"``, ``"str"``, ... as in the catalog.
        value (Any): the resolved value.
        allow_none (bool): whether ``None`` is a valid value (the default is ``None``).
    """
    if value is None:
        return None if allow_none else f"{name} needs a value"
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{name} must be a number, got {value!r}"
        if kind == "int" and not isinstance(value, int):
            if not float(value).is_integer():
                return f"{name} must be a whole number, got {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{name} must be a finite number, got {value!r}"
        low, high = range_for(name, kind) or (-math.inf, math.inf)
        too_low = value <= low if name in EXCLUSIVE_LOW else value < low
        if too_low or value > high:
            low_word = "above" if name in EXCLUSIVE_LOW else "at least"
            return f"{name} = {_fmt(value)} is out of range: it must be {low_word} {_fmt(low)} and at most {_fmt(high)}"
        return None
    if kind == "bool" and not isinstance(value, bool):
        return f"{name} must be True or False, got {value!r}"
    if kind == "str" and not isinstance(value, str):
        return f"{name} must be text, got {value!r}"
    return None
