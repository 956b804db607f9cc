"""`GptOssMoEFFN`: gpt-oss's mixture of experts (OpenAI, 2025).

A biased linear router scores the experts, keeps the top k logits and softmaxes over
just those. Experts are SwiGLU with biases whose gate is clamped and sharpened
(``g * sigmoid(1.702 g)``, the GELU approximation) and whose value gets ``+1``, so an
expert starts close to passing its input through.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.core.registry import MOE
from olm.core.validation import check_non_negative, check_positive_int
from olm.nn.moe.aux_loss import load_balancing_loss
from olm.nn.moe.expert_bank import ExpertBank, clamped_swiglu

__all__ = ["GptOssMoEFFN"]


@MOE.register("gpt_oss_moe")
class GptOssMoEFFN(Component):
    """Top-k-then-softmax routed experts with biases and clamped SwiGLU (gpt-oss, 2025).

    Args:
        embed_dim (int): model width ``D``.
        num_experts (int): routed experts (gpt-oss-20b: 32, 120b: 128).
        top_k (int): experts per token. Default: 4.
        hidden_dim (int | None): each expert's gated width; None means ``embed_dim``.
            Default: None.
        swiglu_alpha (float): sharpness of the gate's sigmoid. Default: 1.702.
        swiglu_limit (float): clamp on gate (above) and value (both sides). Default: 7.0.
        dropout (float): dropout on each expert's output. Default: 0.0.
        aux_loss_coef (float): weight of the load-balancing loss. Default: 0.0.
    """

    family = "moe"

    def __init__(
        self,
        embed_dim: int,
        num_experts: int,
        top_k: int = 4,
        hidden_dim: int | None = None,
        swiglu_alpha: float = 1.702,
        swiglu_limit: float = 7.0,
        dropout: float = 0.0,
        aux_loss_coef: float = 0.0,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        self.embed_dim = check_positive_int(owner, "embed_dim", embed_dim)
        self.num_experts = check_positive_int(owner, "num_experts", num_experts)
        self.top_k = check_positive_int(owner, "top_k", top_k)
        if top_k > num_experts:
            raise ConfigError(f"top_k {top_k} must be <= num_experts {num_experts}")
        hidden = embed_dim if hidden_dim is None else hidden_dim
        self.hidden_dim = check_positive_int(owner, "hidden_dim", hidden)
        alpha = check_non_negative(owner, "swiglu_alpha", swiglu_alpha)
        limit = check_non_negative(owner, "swiglu_limit", swiglu_limit)
        self.aux_loss_coef = check_non_negative(owner, "aux_loss_coef", aux_loss_coef)
        self.router = nn.Linear(embed_dim, num_experts, bias=True)
        self.experts = ExpertBank(
            num_experts, embed_dim, self.hidden_dim, clamped_swiglu(alpha, limit), bias=True,
            dropout=dropout,
        )
        self.aux_loss: Tensor | None = None
        self.last_expert_counts: Tensor | None = None

    @property
    def params_per_routed_expert(self) -> int:
        """Parameters of one routed expert (what a token skips for each idle expert)."""
        return self.experts.params_per_expert

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 0 or x.shape[-1] != self.embed_dim:
            raise ValueError(
                f"GptOssMoEFFN expects input of shape [..., {self.embed_dim}], got {tuple(x.shape)}"
            )
        tokens = x.reshape(-1, self.embed_dim)
        logits = self.router(tokens)  # [T, E]
        top, indices = logits.topk(self.top_k, dim=-1)  # [T, k]
        weights = torch.softmax(top, dim=-1, dtype=top.dtype)
        if tokens.device.type == "meta":
            counts = indices.new_zeros(self.num_experts)
        else:
            counts = torch.bincount(indices.reshape(-1), minlength=self.num_experts)
        out = self.experts(tokens, indices, weights, counts)
        self.last_expert_counts = counts.detach()
        probs = torch.softmax(logits.float(), dim=-1)
        self.aux_loss = self.aux_loss_coef * load_balancing_loss(probs, counts)
        return out.reshape(x.shape)

    def extra_repr(self) -> str:
        return (
            f"embed_dim={self.embed_dim}, num_experts={self.num_experts}, top_k={self.top_k}, "
            f"hidden_dim={self.hidden_dim}"
        )
