"""`GroupLimitedRouter`: DeepSeek's routing (sigmoid or softmax scores, expert groups, bias).

DeepSeek-V3 scores experts with a sigmoid, picks the best ``topk_groups`` of
``num_groups`` expert groups (a group's score is the sum of its two best experts), then
the top k experts inside them, renormalises their scores and multiplies by a constant.
The choice (not the weights) adds a per-expert bias that training nudges towards equal
load instead of a balancing loss ("auxiliary-loss-free" balancing, arXiv:2408.15664).
DeepSeek-V2 scores with a softmax, groups by their best expert, and does not renormalise.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.core.validation import check_positive_int

__all__ = ["GroupLimitedRouter"]


class GroupLimitedRouter(Component):
    """Top-k router with expert groups and an optional load-balancing score bias.

    Args:
        embed_dim (int): model width ``D``.
        num_experts (int): routed experts ``E``.
        top_k (int): experts per token.
        scoring (str): "sigmoid" (DeepSeek-V3) or "softmax" (DeepSeek-V2). Default: "sigmoid".
        num_groups (int): expert groups; must divide ``num_experts``. Default: 1.
        topk_groups (int): groups a token may use. Default: 1.
        normalize (bool): rescale the chosen scores to sum to 1. Default: True.
        scaling_factor (float): multiplies the routing weights. Default: 1.0.
        score_bias (bool): keep a per-expert bias added to scores when choosing (not
            when weighting), updated by :meth:`balance`. Default: False.
    """

    family = None

    def __init__(
        self,
        embed_dim: int,
        num_experts: int,
        top_k: int,
        scoring: Literal["sigmoid", "softmax"] = "sigmoid",
        num_groups: int = 1,
        topk_groups: int = 1,
        normalize: bool = True,
        scaling_factor: float = 1.0,
        score_bias: bool = False,
    ) -> None:
        super().__init__()
        for name, value in (("embed_dim", embed_dim), ("num_experts", num_experts),
                            ("top_k", top_k), ("num_groups", num_groups),
                            ("topk_groups", topk_groups)):
            check_positive_int("GroupLimitedRouter", name, value)
        if scoring not in ("sigmoid", "softmax"):
            raise ConfigError(f"scoring must be 'sigmoid' or 'softmax', got {scoring!r}")
        if num_experts % num_groups:
            raise ConfigError(f"num_groups {num_groups} must divide num_experts {num_experts}")
        if topk_groups > num_groups:
            raise ConfigError(f"topk_groups {topk_groups} must be <= num_groups {num_groups}")
        if top_k > num_experts // num_groups * topk_groups:
            raise ConfigError(
                f"top_k {top_k} exceeds the experts in {topk_groups} of {num_groups} groups"
            )
        self.embed_dim, self.num_experts, self.top_k = embed_dim, num_experts, top_k
        self.scoring, self.num_groups, self.topk_groups = scoring, num_groups, topk_groups
        self.normalize, self.scaling_factor = bool(normalize), float(scaling_factor)
        self.gate = nn.Linear(embed_dim, num_experts, bias=False)
        if score_bias:
            self.register_buffer("score_bias", torch.zeros(num_experts, dtype=torch.float32))
        else:
            self.score_bias = None

    def reset_parameters(self) -> None:
        """Zero the balancing bias (after ``to_empty``); the gate keeps its own init."""
        if self.score_bias is not None:
            with torch.no_grad():
                self.score_bias.zero_()

    def _group_mask(self, choice: Tensor) -> Tensor:
        """Keep-mask ``[T, E]`` of the experts in each token's best ``topk_groups`` groups."""
        t = choice.shape[0]
        grouped = choice.view(t, self.num_groups, -1)  # [T, G, E/G]
        if self.scoring == "sigmoid":
            group_score = grouped.topk(min(2, grouped.shape[-1]), dim=-1).values.sum(-1)
        else:
            group_score = grouped.max(dim=-1).values
        best = group_score.topk(self.topk_groups, dim=-1).indices  # [T, g]
        mask = torch.zeros_like(group_score, dtype=torch.bool).scatter_(1, best, True)
        return mask.unsqueeze(-1).expand_as(grouped).reshape(t, self.num_experts)

    def route(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Route tokens ``x`` ``[T, D]``: (scores ``[T, E]`` float32, indices, weights ``[T, k]``)."""
        logits = self.gate(x).float()
        scores = logits.sigmoid() if self.scoring == "sigmoid" else logits.softmax(dim=-1)
        choice = scores if self.score_bias is None else scores + self.score_bias
        if self.num_groups > 1:
            fill = float("-inf") if self.scoring == "sigmoid" else 0.0
            choice = choice.masked_fill(~self._group_mask(choice), fill)
        indices = choice.topk(self.top_k, dim=-1).indices  # [T, k]
        weights = scores.gather(-1, indices)
        if self.normalize:
            weights = weights / (weights.sum(dim=-1, keepdim=True) + 1e-20)
        weights = weights * self.scaling_factor
        probs = scores / scores.sum(dim=-1, keepdim=True)  # for an optional balancing loss
        return probs, indices, weights.to(x.dtype)

    @torch.no_grad()
    def balance(self, counts: Tensor, rate: float) -> None:
        """Auxiliary-loss-free balancing: raise the bias of under-loaded experts by ``rate``
        and lower that of over-loaded ones (``counts``: routing slots per expert)."""
        if self.score_bias is None:
            return
        load = counts.float().to(self.score_bias.device)
        self.score_bias += rate * torch.sign(load.mean() - load)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(indices, weights)``, both ``[T, top_k]``."""
        _, indices, weights = self.route(x)
        return indices, weights
