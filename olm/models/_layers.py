"""Wiring shared by the reference families: how a norm, a mixer and a skip fit together.

These helpers only place already-built components into ``Residual``/``Block``; which
component goes where is each family's decision (compose, don't flag).
"""

from __future__ import annotations

from typing import Callable

from torch import nn

from olm.core.errors import ConfigError
from olm.nn.structure import Block, Residual

__all__ = ["pre_norm", "sandwich", "decoder_layer", "check_positive"]


def pre_norm(norm: nn.Module, inner: nn.Module) -> Residual:
    """``x + inner(norm(x))``: the pre-norm skip used by GPT-2 and every later model."""
    return Residual(Block([norm, inner]))


def sandwich(norm_in: nn.Module, inner: nn.Module, norm_out: nn.Module) -> Residual:
    """``x + norm_out(inner(norm_in(x)))``: Gemma 2's norms on both sides of a sublayer."""
    return Residual(Block([norm_in, inner, norm_out]))


def decoder_layer(
    attention: nn.Module, ffn: nn.Module, norm: Callable[[], nn.Module]
) -> Block:
    """One pre-norm decoder layer: an attention skip then a feed-forward skip.

    Args:
        attention (nn.Module): the token mixer.
        ffn (nn.Module): the feed-forward (dense or mixture of experts).
        norm (Callable[[], nn.Module]): makes a fresh norm for each skip.
    """
    return Block([pre_norm(norm(), attention), pre_norm(norm(), ffn)])


def check_positive(**values: int) -> None:
    """Raise ``ConfigError`` naming the first argument that is not a positive integer."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
