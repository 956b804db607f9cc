"""Turning a rope-scaling description (our arguments or a Hugging Face dict) into `RopeScaling`."""

from __future__ import annotations

from typing import Any

from olm.core.errors import ConfigError
from olm.nn.embeddings._rope_frequencies import SCALING_TYPES, RopeScaling

__all__ = ["LLAMA3_DEFAULTS", "make_scaling", "parse_hf_scaling"]

# Llama 3.1's published values (its config.json "rope_scaling").
LLAMA3_DEFAULTS = {
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_seq_len": 8192,
}

# Hugging Face "rope_type" -> our scaling_type.
_HF_TYPES = {
    "default": "default",
    "linear": "linear",
    "dynamic": "dynamic_ntk",
    "dynamic_ntk": "dynamic_ntk",
    "ntk": "ntk",
    "yarn": "yarn",
    "llama3": "llama3",
    "longrope": "longrope",
}
# Hugging Face key -> RopeScaling field.
_HF_KEYS = {
    "factor": "factor",
    "original_max_position_embeddings": "original_max_seq_len",
    "low_freq_factor": "low_freq_factor",
    "high_freq_factor": "high_freq_factor",
    "beta_fast": "beta_fast",
    "beta_slow": "beta_slow",
    "attention_factor": "attention_factor",
    "mscale": "mscale",
    "mscale_all_dim": "mscale_all_dim",
    "truncate": "truncate",
    "short_factor": "short_factor",
    "long_factor": "long_factor",
}
# Keys a Hugging Face rope dict may carry that the caller handles (theta, partial factor).
_CALLER_KEYS = {"rope_type", "type", "rope_theta", "partial_rotary_factor"}


def make_scaling(kind: str, max_seq_len: int, **fields: Any) -> RopeScaling:
    """Validate and fill in a scaling recipe; ``None`` fields take the type's default."""
    if kind != "default" and kind not in SCALING_TYPES:
        raise ConfigError(
            f"scaling_type {kind!r} is not supported; choose one of {list(SCALING_TYPES)}"
        )
    given = {k: v for k, v in fields.items() if v is not None}
    if kind == "llama3":
        given = {**LLAMA3_DEFAULTS, **given}
    factor = float(given.get("factor", 1.0))
    if kind != "default" and not factor >= 1.0:
        raise ConfigError(f"scaling_factor must be >= 1, got {factor!r}")
    given["factor"] = factor
    # The pretraining length the scaling extends from: max_seq_len / factor unless told.
    given.setdefault("original_max_seq_len", max(1, int(max_seq_len / factor)))
    if kind == "llama3" and not given["high_freq_factor"] > given["low_freq_factor"]:
        raise ConfigError(
            f"high_freq_factor {given['high_freq_factor']} must be greater than "
            f"low_freq_factor {given['low_freq_factor']}"
        )
    return RopeScaling(kind=kind, **given)


def parse_hf_scaling(scaling: dict[str, Any] | None, max_seq_len: int) -> RopeScaling:
    """Read a Hugging Face ``rope_scaling`` / ``rope_parameters`` dict.

    Example: ``{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
    "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}``.
    """
    if scaling is None:
        return RopeScaling()
    if not isinstance(scaling, dict):
        raise ConfigError(f"rope_scaling must be a dict or None, got {type(scaling).__name__}")
    hf_type = scaling.get("rope_type", scaling.get("type", "default"))
    if hf_type not in _HF_TYPES:
        raise ConfigError(
            f"rope_scaling type {hf_type!r} is not supported; choose one of {sorted(_HF_TYPES)}"
        )
    unknown = set(scaling) - set(_HF_KEYS) - _CALLER_KEYS
    if unknown:
        raise ConfigError(f"rope_scaling has unknown keys {sorted(unknown)}")
    fields = {_HF_KEYS[k]: v for k, v in scaling.items() if k in _HF_KEYS}
    kind = _HF_TYPES[hf_type]
    if kind == "dynamic_ntk":
        # Hugging Face's dynamic NTK grows past the model's own max_position_embeddings.
        fields.setdefault("original_max_seq_len", max_seq_len)
    if kind == "default":
        return RopeScaling()
    if kind == "longrope":
        return _longrope(fields, max_seq_len)
    return make_scaling(kind, max_seq_len, **fields)


def _longrope(fields: dict[str, Any], max_seq_len: int) -> RopeScaling:
    """LongRoPE needs both factor lists and the pretraining length; factor defaults to the ratio."""
    for key in ("short_factor", "long_factor", "original_max_seq_len"):
        if fields.get(key) is None:
            hf_key = "original_max_position_embeddings" if key == "original_max_seq_len" else key
            raise ConfigError(f"rope_scaling type 'longrope' needs {hf_key!r}")
    fields["short_factor"] = tuple(float(f) for f in fields["short_factor"])
    fields["long_factor"] = tuple(float(f) for f in fields["long_factor"])
    if len(fields["short_factor"]) != len(fields["long_factor"]):
        raise ConfigError("rope_scaling short_factor and long_factor must have the same length")
    if fields.get("factor") is None:
        fields["factor"] = max_seq_len / fields["original_max_seq_len"]
    return RopeScaling(kind="longrope", **fields)
