"""Hyperparameter checks shared by the norm, feed-forward, MoE and head components.

Each raises :class:`~olm.core.errors.ConfigError` with a sentence that names the argument
and the rule it broke, so a user mistake never surfaces as a bare traceback. They live in
``olm.core`` so every package can use them without an import cycle.
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import ConfigError

__all__ = [
    "check_non_negative_int",
    "check_positive_int",
    "check_probability",
    "check_non_negative",
    "check_optional_positive",
    "check_positive",
]


def check_positive_int(owner: str, name: str, value: Any) -> int:
    """``value`` must be an ``int`` (not a bool) of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{owner} {name} must be a positive integer, got {value!r}")
    return value


def check_non_negative_int(owner: str, name: str, value: Any) -> int:
    """``value`` must be an ``int`` (not a bool) of at least 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{owner} {name} must be an integer >= 0, got {value!r}")
    return value


def check_probability(owner: str, name: str, value: Any) -> float:
    """``value`` must be a number in [0, 1) (a dropout rate)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ConfigError(f"{owner} {name} must be a number in [0, 1), got {value!r}")
    return float(value)


def check_non_negative(owner: str, name: str, value: Any) -> float:
    """``value`` must be a number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{owner} {name} must be a number >= 0, got {value!r}")
    return float(value)


def check_positive(owner: str, name: str, value: Any) -> float:
    """``value`` must be a number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{owner} {name} must be a number > 0, got {value!r}")
    return float(value)


def check_optional_positive(owner: str, name: str, value: Any) -> float | None:
    """``value`` must be ``None`` or a number > 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{owner} {name} must be None or a number > 0, got {value!r}")
    return float(value)
