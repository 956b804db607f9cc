"""`NormBase`: what every normalisation layer shares (its width, eps and input check)."""

from __future__ import annotations

from torch import Tensor

from olm.core.capture import Component
from olm.core.validation import check_positive, check_positive_int

__all__ = ["NormBase"]


class NormBase(Component):
    """Abstract normalisation over the last dimension of ``[..., d_model]`` inputs.

    Norms compute in float32 and cast the result back to the input dtype, because bf16/fp16
    statistics over a wide hidden dimension lose too much precision.

    Args:
        d_model (int): size of the normalised (last) dimension.
        eps (float): added to the variance for numerical stability (> 0).
    """

    family = None

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        owner = type(self).__name__
        self.d_model = check_positive_int(owner, "d_model", d_model)
        self.normalized_shape = (d_model,)
        self.eps = check_positive(owner, "eps", eps)

    def _check_input(self, x: Tensor) -> None:
        if x.dim() == 0 or x.shape[-1] != self.d_model:
            raise ValueError(
                f"{type(self).__name__} expects input of shape [..., {self.d_model}], "
                f"got {tuple(x.shape)}"
            )

    def extra_repr(self) -> str:
        return f"{self.d_model}, eps={self.eps}"
