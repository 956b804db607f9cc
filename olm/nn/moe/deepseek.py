"""`DeepSeekMoEFFN`: fine-grained routed SwiGLU experts plus always-on shared experts.

DeepSeekMoE (arXiv:2401.06066) splits each expert into many small ones and routes every
token to several of them, while one or two shared experts see every token and hold the
common knowledge. DeepSeek-V3 routes with a sigmoid over expert groups and balances load
with a score bias instead of an auxiliary loss (see
:class:`~olm.nn.moe.deepseek_router.GroupLimitedRouter`).

With hundreds of experts per layer (DeepSeek-V3: 256 in each of 58 layers) the routed
experts are stored as one bank of stacked weights rather than one module each: building
the 671B model on the meta device then takes a fraction of a second, and each expert is
still computed only on its own tokens.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.registry import MOE
from olm.core.validation import check_non_negative, check_non_negative_int, check_positive_int
from olm.nn.moe.aux_loss import load_balancing_loss
from olm.nn.moe.deepseek_router import GroupLimitedRouter
from olm.nn.moe.expert_bank import ExpertBank, swiglu

__all__ = ["DeepSeekMoEFFN", "balance_routing_biases"]


@MOE.register("deepseek_moe")
class DeepSeekMoEFFN(Component):
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

        super().__init__()
        owner = type(self).__name__
        self.embed_dim = check_positive_int(owner, "embed_dim", embed_dim)
        self.hidden_dim = check_positive_int(owner, "hidden_dim", hidden_dim)
        self.num_shared_experts = check_non_negative_int(
            owner, "num_shared_experts", num_shared_experts
        )
        self.bias_update_rate = check_non_negative(owner, "bias_update_rate", bias_update_rate)
        self.aux_loss_coef = check_non_negative(owner, "aux_loss_coef", aux_loss_coef)
        self.router = GroupLimitedRouter(
            embed_dim, num_experts, top_k, scoring=scoring, num_groups=num_groups,
            topk_groups=topk_groups, normalize=normalize_top_k,
            scaling_factor=routed_scaling_factor, score_bias=bias_balancing,
        )
        self.num_experts, self.top_k = num_experts, top_k
        self.experts = ExpertBank(num_experts, embed_dim, hidden_dim, swiglu, dropout=dropout)
        self.shared_expert = (
            SwiGLUFFN(
                embed_dim, hidden_dim=num_shared_experts * hidden_dim, dropout=dropout, bias=False
            )
            if num_shared_experts
            else None
        )
        self.aux_loss: Tensor | None = None
        self.last_expert_counts: Tensor | None = None

    @property
    def params_per_routed_expert(self) -> int:
        """Parameters of one routed expert (what a token skips for each idle expert)."""
        return self.experts.params_per_expert

    def reset_parameters(self) -> None:
        """Re-initialise the routed experts and zero the balancing bias."""
        self.experts.reset_parameters()
        self.router.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 0 or x.shape[-1] != self.embed_dim:
            raise ValueError(
                f"DeepSeekMoEFFN expects input of shape [..., {self.embed_dim}], "
                f"got {tuple(x.shape)}"
            )
        tokens = x.reshape(-1, self.embed_dim)  # [T, D]
        probs, indices, weights = self.router.route(tokens)
        if tokens.device.type == "meta":  # shapes only
            counts = indices.new_zeros(self.num_experts)
            out = torch.empty_like(tokens)
        else:
            counts = torch.bincount(indices.reshape(-1), minlength=self.num_experts)
            out = self.experts(tokens, indices, weights, counts)
        if self.shared_expert is not None:
            out = out + self.shared_expert(tokens)
        self.last_expert_counts = counts.detach()
        self.aux_loss = self.aux_loss_coef * load_balancing_loss(probs, counts)
        return out.reshape(x.shape)

    def balance(self) -> None:
        """Nudge the routing bias towards equal load, from the last forward's counts."""
        if self.last_expert_counts is not None:
            self.router.balance(self.last_expert_counts, self.bias_update_rate)

    def extra_repr(self) -> str:
        return (
            f"embed_dim={self.embed_dim}, num_experts={self.num_experts}, top_k={self.top_k}, "
            f"hidden_dim={self.hidden_dim}, shared={self.num_shared_experts}"
        )


def balance_routing_biases(model: nn.Module) -> int:
    """Call :meth:`DeepSeekMoEFFN.balance` on every such layer (after an optimizer step);
    returns how many layers were balanced."""
    layers = [m for m in model.modules() if isinstance(m, DeepSeekMoEFFN)]
    for layer in layers:
        layer.balance()
    return len(layers)
