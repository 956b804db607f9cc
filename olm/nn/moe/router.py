"""`MoERouter`: picks the top-k experts of every token (Mixtral's routing)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.core.validation import check_positive_int

__all__ = ["MoERouter"]


class MoERouter(Component):
    """Top-k softmax router: ``softmax(gate(x))`` over all experts, keep the top k, renormalise.

    The softmax runs in float32 (as Mixtral's does) so near-tied experts are ranked stably
    under bf16. A part of the MoE feed-forwards rather than a node of its own, so it has no
    palette family.

    Args:
        embed_dim (int): model width ``D``.
        num_experts (int): number of routed experts ``E``.
        top_k (int): experts per token, ``1 <= top_k <= num_experts``. Default: 2.
    """

    family = None

    def __init__(self, embed_dim: int, num_experts: int, top_k: int = 2) -> None:
        super().__init__()
        check_positive_int("MoERouter", "embed_dim", embed_dim)
        check_positive_int("MoERouter", "num_experts", num_experts)
        check_positive_int("MoERouter", "top_k", top_k)
        if top_k > num_experts:
            raise ConfigError(f"top_k {top_k} must be <= num_experts {num_experts}")
        self.embed_dim = embed_dim
        self.num_experts = num_experts
        self.top_k = top_k
        self.gate = nn.Linear(embed_dim, num_experts, bias=False)

    def route(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Route ``x`` ``[..., D]``.

        Returns:
            ``(probs, indices, weights)``: float32 probabilities over all experts
            ``[..., E]`` (for the load-balancing loss), the chosen experts ``[..., k]``
            (long) and their renormalised weights ``[..., k]`` in ``x``'s dtype.
        """
        probs = F.softmax(self.gate(x).float(), dim=-1)  # [..., E]
        top_probs, indices = torch.topk(probs, self.top_k, dim=-1)  # [..., k]
        weights = top_probs / top_probs.sum(dim=-1, keepdim=True)
        return probs, indices, weights.to(x.dtype)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(indices, weights)``, both ``[..., top_k]``."""
        _, indices, weights = self.route(x)
        return indices, weights
