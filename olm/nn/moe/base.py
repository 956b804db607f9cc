"""`MoEFeedForwardBase`: routed experts, optional shared experts and the balancing loss."""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.validation import (
    check_non_negative,
    check_non_negative_int,
    check_positive_int,
)
from olm.nn.moe.aux_loss import load_balancing_loss
from olm.nn.moe.dispatch import dispatch_sparse
from olm.nn.moe.router import MoERouter

__all__ = ["MoEFeedForwardBase"]


class MoEFeedForwardBase(Component):
    """Abstract mixture-of-experts feed-forward ``[..., D] -> [..., D]``.

    ``out = sum_k w_k * expert_k(x) + sum_s shared_s(x)``: a :class:`MoERouter` sends each
    token to ``top_k`` of ``num_experts`` experts (computed sparsely, see
    :func:`~olm.nn.moe.dispatch.dispatch_sparse`); shared experts, if any, see every token.
    Each forward sets ``aux_loss`` (load-balancing loss times ``aux_loss_coef``) and
    ``last_expert_counts`` (routing slots per expert, detached).

    Args:
        embed_dim (int): model width ``D``.
        expert_cls (Callable[..., nn.Module]): builds one expert as
            ``expert_cls(embed_dim, **expert_kwargs)``.
        num_experts (int): routed experts ``E``. Default: 8.
        num_shared_experts (int): always-on experts (DeepSeek/Qwen-MoE style). Default: 0.
        top_k (int): experts per token. Default: 2.
        expert_kwargs (dict | None): keyword arguments for every expert. Default: None.
        aux_loss_coef (float): weight of the load-balancing loss (>= 0). Default: 0.01.
    """

    family = None

    def __init__(
        self,
        embed_dim: int,
        expert_cls: Callable[..., nn.Module],
        num_experts: int = 8,
        num_shared_experts: int = 0,
        top_k: int = 2,
        expert_kwargs: dict[str, Any] | None = None,
        aux_loss_coef: float = 0.01,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.embed_dim = check_positive_int(owner, "embed_dim", embed_dim)
        self.num_experts = check_positive_int(owner, "num_experts", num_experts)
        self.num_shared_experts = check_non_negative_int(
            owner, "num_shared_experts", num_shared_experts
        )
        self.top_k = top_k
        self.aux_loss_coef = check_non_negative(owner, "aux_loss_coef", aux_loss_coef)
        kwargs = dict(expert_kwargs or {})
        self.router = MoERouter(embed_dim, num_experts, top_k)
        self.experts = nn.ModuleList(expert_cls(embed_dim, **kwargs) for _ in range(num_experts))
        self.shared_experts = (
            nn.ModuleList(expert_cls(embed_dim, **kwargs) for _ in range(num_shared_experts))
            if num_shared_experts
            else None
        )
        self.aux_loss: Tensor | None = None
        self.last_expert_counts: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 0 or x.shape[-1] != self.embed_dim:
            raise ValueError(
                f"{type(self).__name__} expects input of shape [..., {self.embed_dim}], "
                f"got {tuple(x.shape)}"
            )
        tokens = x.reshape(-1, self.embed_dim)  # [T, D]
        probs, indices, weights = self.router.route(tokens)  # [T, E], [T, k], [T, k]
        if tokens.device.type == "meta":  # no values to count; shapes only
            counts = indices.new_zeros(self.num_experts)
        else:
            counts = torch.bincount(indices.reshape(-1), minlength=self.num_experts)  # [E]
        out = dispatch_sparse(tokens, indices, weights, self.experts, counts)
        if self.shared_experts is not None:
            for shared in self.shared_experts:
                out = out + shared(tokens)
        self.last_expert_counts = counts.detach()
        self.aux_loss = self.aux_loss_coef * load_balancing_loss(probs, counts)
        return out.reshape(x.shape)
