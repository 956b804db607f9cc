"""`SwiGLUMoEFFN`: a mixture of SwiGLU experts (Mixtral)."""

from __future__ import annotations

from olm.core.registry import MOE
from olm.nn.moe.base import MoEFeedForwardBase

__all__ = ["SwiGLUMoEFFN"]


@MOE.register("swiglu_moe")
class SwiGLUMoEFFN(MoEFeedForwardBase):
    """Top-k routed mixture of :class:`~olm.nn.feedforward.SwiGLUFFN` experts (Mixtral).

    Args:
        embed_dim (int): model width ``D``.
        num_experts (int): routed experts. Default: 8.
        num_shared_experts (int): experts every token also goes through. Default: 0.
        top_k (int): experts per token. Default: 2.
        hidden_dim (int | None): gated width of each expert; ``None`` means
            ``int(ff_multiplier * embed_dim)``. Default: None.
        dropout (float): dropout on each expert's output. Default: 0.0.
        bias (bool): biases in the expert projections. Default: True.
        ff_multiplier (float): expert width ratio when ``hidden_dim`` is not given.
            Default: 2.5.
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
        dropout: float = 0.0,
        bias: bool = True,
        ff_multiplier: float = 2.5,
        aux_loss_coef: float = 0.01,
    ) -> None:
        # Imported here, not at the top: olm.nn.feedforward re-exports this class, so a
        # top-level import would be circular.
        from olm.nn.feedforward.swiglu import SwiGLUFFN

        expert_kwargs = {
            "hidden_dim": hidden_dim,
            "dropout": dropout,
            "bias": bias,
            "ff_multiplier": ff_multiplier,
        }
        super().__init__(
            embed_dim,
            SwiGLUFFN,
            num_experts,
            num_shared_experts,
            top_k,
            expert_kwargs,
            aux_loss_coef,
        )
