"""RoPE frequency maths: the plain rotary frequencies and their context-extension variants.

Pure functions, no modules. Each variant matches the function of the same name in
``transformers/modeling_rope_utils.py`` numerically (same operations in the same order),
so a checkpoint trained with Hugging Face's scaling gets bit-for-bit the same rotations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ["LENGTH_DEPENDENT", "SCALING_TYPES", "RopeScaling", "base_inv_freq", "scaled_inv_freq"]

SCALING_TYPES = ("linear", "ntk", "dynamic_ntk", "yarn", "llama3")
LENGTH_DEPENDENT = ("dynamic_ntk", "longrope")  # frequencies depend on the current length


@dataclass(frozen=True)
class RopeScaling:
    """A resolved frequency-scaling recipe (``kind="default"`` means plain RoPE)."""

    kind: str = "default"
    factor: float = 1.0
    original_max_seq_len: int = 2048
    low_freq_factor: float = 1.0  # llama3
    high_freq_factor: float = 4.0  # llama3
    beta_fast: float = 32.0  # yarn: boundary of pure extrapolation
    beta_slow: float = 1.0  # yarn: boundary of pure interpolation
    attention_factor: float | None = None  # yarn: cos/sin multiplier; None = 0.1 ln(factor) + 1
    mscale: float | None = None  # yarn (DeepSeek form)
    mscale_all_dim: float | None = None
    truncate: bool = True  # yarn: round the correction range to whole dims
    short_factor: tuple[float, ...] | None = None  # longrope (Phi-3): per-pair divisors
    long_factor: tuple[float, ...] | None = None  # longrope, past original_max_seq_len


def base_inv_freq(dim: int, base: float, device: torch.device | None = None) -> Tensor:
    """``base^(-2i/dim)`` for ``i < dim/2``: the rotation speed of each dim pair (float32)."""
    exponent = torch.arange(0, dim, 2, dtype=torch.int64, device=device).to(torch.float) / dim
    return 1.0 / (base**exponent)


def _yarn_mscale(scale: float, mscale: float = 1.0) -> float:
    return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0


def _yarn(dim: int, base: float, s: RopeScaling, device) -> tuple[Tensor, float]:
    # YaRN, "YaRN: Efficient Context Window Extension" (arXiv:2309.00071): interpolate the
    # slow dims, keep the fast ones, blend linearly in between.
    factor = s.factor
    attention_factor = s.attention_factor
    if attention_factor is None:
        if s.mscale and s.mscale_all_dim:
            attention_factor = _yarn_mscale(factor, s.mscale) / _yarn_mscale(
                factor, s.mscale_all_dim
            )
        else:
            attention_factor = _yarn_mscale(factor)

    def correction_dim(rotations: float) -> float:
        return (dim * math.log(s.original_max_seq_len / (rotations * 2 * math.pi))) / (
            2 * math.log(base)
        )

    low, high = correction_dim(s.beta_fast), correction_dim(s.beta_slow)
    if s.truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)
    if low == high:
        high += 0.001  # avoid a zero-width ramp
    # Built on ``device`` directly: under a meta default device nothing may be copied.
    ramp = (torch.arange(dim // 2, dtype=torch.float32, device=device) - low) / (high - low)
    pos_freqs = base ** (torch.arange(0, dim, 2, dtype=torch.float32, device=device) / dim)
    extrapolation, interpolation = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
    keep = 1 - ramp.clamp(0, 1)
    return interpolation * (1 - keep) + extrapolation * keep, float(attention_factor)


def _longrope(dim: int, base: float, s: RopeScaling, seq_len, device) -> tuple[Tensor, float]:
    # LongRoPE (arXiv:2402.13753, Phi-3): per-pair divisors, the "long" set once the
    # sequence passes the pretraining length; cos/sin scaled by sqrt(1 + ln f / ln L).
    factor = s.factor
    if s.attention_factor is not None:
        attention_factor = s.attention_factor
    elif factor <= 1.0:
        attention_factor = 1.0
    else:
        attention_factor = math.sqrt(1 + math.log(factor) / math.log(s.original_max_seq_len))
    long = seq_len is not None and seq_len > s.original_max_seq_len
    ext = torch.tensor(
        s.long_factor if long else s.short_factor, dtype=torch.float32, device=device
    )
    shape = torch.arange(0, dim, 2, dtype=torch.int64, device=device).float() / dim
    return 1.0 / (ext * base**shape), float(attention_factor)


def _llama3(dim: int, base: float, s: RopeScaling, device) -> Tensor:
    # Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, the band between
    # (wavelengths between old_len/high_freq_factor and old_len/low_freq_factor) blended.
    inv_freq = base_inv_freq(dim, base, device)
    old_len = s.original_max_seq_len
    low_freq_wavelen = old_len / s.low_freq_factor
    high_freq_wavelen = old_len / s.high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / s.factor, inv_freq)
    smooth = (old_len / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor)
    smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled
    is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium, smoothed, scaled)


def scaled_inv_freq(
    dim: int,
    base: float,
    scaling: RopeScaling,
    seq_len: int | None = None,
    device: torch.device | None = None,
) -> tuple[Tensor, float]:
    """Inverse frequencies and the cos/sin multiplier for ``scaling``.

    Args:
        dim: number of rotated dims (even).
        base: RoPE theta.
        scaling: the recipe.
        seq_len: the longest position + 1 in the current call (only "dynamic_ntk" and
            "longrope" use it).
        device: where to build the tensor.
    """
    kind = scaling.kind
    if kind == "default":
        return base_inv_freq(dim, base, device), 1.0
    if kind == "linear":
        return base_inv_freq(dim, base, device) / scaling.factor, 1.0
    if kind == "ntk":
        # Static NTK-aware scaling: stretch the base so the slowest dim slows by `factor`.
        return base_inv_freq(dim, base * scaling.factor ** (dim / (dim - 2)), device), 1.0
    if kind == "dynamic_ntk":
        original = scaling.original_max_seq_len
        seq_len = max(seq_len or original, original)
        grown = base * ((scaling.factor * seq_len / original) - (scaling.factor - 1)) ** (
            dim / (dim - 2)
        )
        return base_inv_freq(dim, grown, device), 1.0
    if kind == "yarn":
        return _yarn(dim, base, scaling, device)
    if kind == "llama3":
        return _llama3(dim, base, scaling, device), 1.0
    if kind == "longrope":
        return _longrope(dim, base, scaling, seq_len, device)
    raise ValueError(f"unknown rope scaling type {kind!r}")  # guarded by callers
