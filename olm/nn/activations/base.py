"""`ActivationBase`: the family base of every activation function."""

from __future__ import annotations

from torch import Tensor

from olm.core.capture import Component

__all__ = ["ActivationBase"]


class ActivationBase(Component):
    """Abstract element-wise (or gated) non-linearity with no required arguments.

    Activations are modules rather than functions so a model can name them, swap them by
    registry name (``ACTIVATIONS``) and describe them as data.
    """

    family = None

    def forward(self, x: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError
