"""`FeedForwardBase`: the family base of the position-wise feed-forward networks."""

from __future__ import annotations

from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.validation import check_positive_int, check_probability

__all__ = ["FeedForwardBase"]


class FeedForwardBase(Component):
    """Abstract ``[..., D] -> [..., D]`` network applied to every position independently.

    Holds what all of them share: the model width, the dropout on the output, and the
    input-shape check.

    Args:
        embed_dim (int): model width ``D`` (input and output size).
        dropout (float): dropout probability on the output, in [0, 1). Default: 0.0.
    """

    family = None

    def __init__(self, embed_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        owner = type(self).__name__
        self.embed_dim = check_positive_int(owner, "embed_dim", embed_dim)
        self.dropout = nn.Dropout(check_probability(owner, "dropout", dropout))

    def _check_input(self, x: Tensor) -> None:
        if x.dim() == 0 or x.shape[-1] != self.embed_dim:
            raise ValueError(
                f"{type(self).__name__} expects input of shape [..., {self.embed_dim}], "
                f"got {tuple(x.shape)}"
            )

    def _drop(self, x: Tensor) -> Tensor:
        # Skipping a p=0 dropout saves a full pass over the activations.
        return self.dropout(x) if self.dropout.p > 0 else x

    def forward(self, x: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError
