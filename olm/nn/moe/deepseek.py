"""`DeepSeekMoEFFN`: fine-grained routed SwiGLU experts plus always-on shared experts.

DeepSeekMoE (arXiv:2401.06066) splits each expert into many small ones and routes every
token to several of them, while one or two shared experts see every token and hold the
common knowledge. DeepSeek-V3 routes with a sigmoid over expert groups and balances load
with a score bias instead of an auxiliary loss (see
:class:`~olm.nn.moe.deepseek_router.GroupLimitedRouter`).
"""

from __future__ import annotations

from typing import Literal

from torch import nn

from olm.core.registry import MOE
from olm.core.validation import check_non_negative, check_non_negative_int
from olm.nn.moe.base import MoEFeedForwardBase
from olm.nn.moe.deepseek_router import GroupLimitedRouter

__all__ = ["DeepSeekMoEFFN", "balance_routing_biases"]


@MOE.register("deepseek_moe")
class DeepSeekMoEFFN(MoEFeedForwardBase):
    """Fine-grained mixture of SwiGLU experts with shared experts (DeepSeek-V2/V3, 2024).

    Args:
        embed_dim (int): model width ``D``.
        num_experts (int): routed experts (DeepSeek-V3: 256).
        top_k (int): routed experts per token (DeepSeek-V3: 8).
        hidden_dim (int): gated width of each routed expert (``moe_intermediate_size``).
        num_shared_experts (int): shared experts; they are stored as one SwiGLU of width
            ``num_shared_experts * hidden_dim``, which computes the same sum. Default: 1.
        scoring (str): "sigmoid" (V3) or "softmax" (V2). Default: "sigmoid".
        num_groups (int): expert groups for group-limited routing. Default: 1.
        topk_groups (int): groups each token may use. Default: 1.
        normalize_top_k (bool): renormalise the chosen experts' scores. Default: True.
        routed_scaling_factor (float): multiplies the routed experts' weights. Default: 1.0.
        bias_balancing (bool): auxiliary-loss-free balancing with a score bias. Default: True.
        bias_update_rate (float): bias step per :func:`balance_routing_biases` call.
            Default: 0.001.
        dropout (float): dropout on each expert's output. Default: 0.0.
        aux_loss_coef (float): weight of the Switch balancing loss (0 for loss-free).
            Default: 0.0.
    """

    family = "moe"

    def __init__(
        self,
        embed_dim: int,
        num_experts: int,
        top_k: int,
        hidden_dim: int,
        num_shared_experts: int = 1,
        scoring: Literal["sigmoid", "softmax"] = "sigmoid",
        num_groups: int = 1,
        topk_groups: int = 1,
        normalize_top_k: bool = True,
        routed_scaling_factor: float = 1.0,
        bias_balancing: bool = True,
        bias_update_rate: float = 0.001,
        dropout: float = 0.0,
        aux_loss_coef: float = 0.0,
    ) -> None:
        from olm.nn.feedforward.swiglu import SwiGLUFFN  # circular at module level

        check_non_negative_int("DeepSeekMoEFFN", "num_shared_experts", num_shared_experts)
        self_rate = check_non_negative("DeepSeekMoEFFN", "bias_update_rate", bias_update_rate)
        expert = {"hidden_dim": hidden_dim, "dropout": dropout, "bias": False}
        super().__init__(embed_dim, SwiGLUFFN, num_experts, 0, top_k, expert, aux_loss_coef)
        self.router = GroupLimitedRouter(
            embed_dim, num_experts, top_k, scoring=scoring, num_groups=num_groups,
            topk_groups=topk_groups, normalize=normalize_top_k,
            scaling_factor=routed_scaling_factor, score_bias=bias_balancing,
        )
        self.shared_width = num_shared_experts * hidden_dim
        self.num_shared_experts = num_shared_experts
        self.shared_experts = (
            nn.ModuleList(
                [SwiGLUFFN(embed_dim, hidden_dim=self.shared_width, dropout=dropout, bias=False)]
            )
            if num_shared_experts
            else None
        )
        self.bias_update_rate = self_rate

    def balance(self) -> None:
        """Nudge the routing bias towards equal load, from the last forward's counts."""
        if self.last_expert_counts is not None:
            self.router.balance(self.last_expert_counts, self.bias_update_rate)


def balance_routing_biases(model: nn.Module) -> int:
    """Call :meth:`DeepSeekMoEFFN.balance` on every such layer (after an optimizer step);
    returns how many layers were balanced."""
    layers = [m for m in model.modules() if isinstance(m, DeepSeekMoEFFN)]
    for layer in layers:
        layer.balance()
    return len(layers)
