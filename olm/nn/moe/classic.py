"""`ClassicMoEFFN`: a mixture of GPT-2 style MLP experts."""

from __future__ import annotations

from typing import Union

from torch import nn

from olm.core.registry import MOE
from olm.nn.moe.base import MoEFeedForwardBase

__all__ = ["ClassicMoEFFN"]


@MOE.register("classic_moe")
class ClassicMoEFFN(MoEFeedForwardBase):
    """Top-k routed mixture of :class:`~olm.nn.feedforward.ClassicFFN` experts.

    Args:
        embed_dim (int): model width ``D``.
        num_experts (int): routed experts. Default: 8.
        num_shared_experts (int): experts every token also goes through. Default: 0.
        top_k (int): experts per token. Default: 2.
        hidden_dim (int | None): inner width of each expert; ``None`` means
            ``4 * embed_dim``. Default: None.
        activation_fn (str | nn.Module | None): the experts' activation (registry name
            preferred); ``None`` means exact GELU. Default: None.
        dropout (float): dropout on each expert's output. Default: 0.0.
        bias (bool): biases in the expert projections. Default: True.
        aux_loss_coef (float): weight of the load-balancing loss. Default: 0.01.
    """

    family = "moe"

    def __init__(
        self,
        embed_dim: int,
        num_experts: int = 8,
        num_shared_experts: int = 0,
        top_k: int = 2,
        hidden_dim: int | None = None,
        activation_fn: Union[str, nn.Module, None] = None,
        dropout: float = 0.0,
        bias: bool = True,
        aux_loss_coef: float = 0.01,
    ) -> None:
        # Imported here, not at the top: olm.nn.feedforward re-exports this class, so a
        # top-level import would be circular.
        from olm.nn.feedforward.classic import ClassicFFN

        expert_kwargs = {
            "hidden_dim": hidden_dim,
            "activation_fn": activation_fn,
            "dropout": dropout,
            "bias": bias,
        }
        super().__init__(
            embed_dim,
            ClassicFFN,
            num_experts,
            num_shared_experts,
            top_k,
            expert_kwargs,
            aux_loss_coef,
        )
