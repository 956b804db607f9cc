"""`ExpertBank`: many routed experts stored as stacked weights, each run on its own tokens.

Fine-grained MoEs have hundreds of experts per layer (DeepSeek-V3: 256, gpt-oss-120b: 128).
One module per expert makes building the model on the meta device slow and the module
tree huge; a bank keeps every expert's weights in one tensor per projection (``nn.Linear``
layout, ``[E, out, in]``) and computes expert ``e`` only on the tokens routed to it.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["ExpertBank", "swiglu", "clamped_swiglu"]


def swiglu(value: Tensor, gate: Tensor) -> Tensor:
    """``value * silu(gate)`` (Llama, DeepSeek experts)."""
    return value * F.silu(gate)


def clamped_swiglu(alpha: float, limit: float) -> Callable[[Tensor, Tensor], Tensor]:
    """gpt-oss's gate: ``(clamp(value) + 1) * g * sigmoid(alpha * g)``, ``g = min(gate, limit)``."""

    def act(value: Tensor, gate: Tensor) -> Tensor:
        gate = gate.clamp(max=limit)
        return (value.clamp(-limit, limit) + 1) * gate * torch.sigmoid(gate * alpha)

    return act


class ExpertBank(nn.Module):
    """``E`` gated experts: ``down(act(value, gate))`` with ``value, gate = up(x).chunk(2)``.

    Args:
        num_experts (int): experts ``E``.
        embed_dim (int): model width ``D``.
        hidden_dim (int): each expert's gated width ``H``.
        act (Callable): ``act(value, gate) -> hidden``.
        bias (bool): biases on both projections (gpt-oss). Default: False.
        dropout (float): dropout on each expert's output. Default: 0.0.
    """

    def __init__(
        self,
        num_experts: int,
        embed_dim: int,
        hidden_dim: int,
        act: Callable[[Tensor, Tensor], Tensor],
        bias: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.num_experts, self.embed_dim, self.hidden_dim = num_experts, embed_dim, hidden_dim
        self.act = act
        self.up = nn.Parameter(torch.empty(num_experts, 2 * hidden_dim, embed_dim))  # value; gate
        self.down = nn.Parameter(torch.empty(num_experts, embed_dim, hidden_dim))
        self.up_bias = nn.Parameter(torch.empty(num_experts, 2 * hidden_dim)) if bias else None
        self.down_bias = nn.Parameter(torch.empty(num_experts, embed_dim)) if bias else None
        self.dropout = nn.Dropout(dropout)
        self.reset_parameters()

    @property
    def params_per_expert(self) -> int:
        """Parameters of one expert (biases included)."""
        per = 3 * self.embed_dim * self.hidden_dim
        return per + (2 * self.hidden_dim + self.embed_dim if self.up_bias is not None else 0)

    def reset_parameters(self) -> None:
        """``nn.Linear``'s default init for every expert (uniform in ±1/sqrt(fan_in))."""
        for weight, bias, fan_in in (
            (self.up, self.up_bias, self.embed_dim),
            (self.down, self.down_bias, self.hidden_dim),
        ):
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(weight, -bound, bound)
            if bias is not None:
                nn.init.uniform_(bias, -bound, bound)

    def expert(self, e: int, x: Tensor) -> Tensor:
        """Expert ``e`` on tokens ``x`` ``[n, D]``; returns ``[n, D]``."""
        b_up = None if self.up_bias is None else self.up_bias[e]
        b_down = None if self.down_bias is None else self.down_bias[e]
        value, gate = F.linear(x, self.up[e], b_up).chunk(2, dim=-1)  # [n, H] each
        return self.dropout(F.linear(self.act(value, gate), self.down[e], b_down))

    def forward(self, tokens: Tensor, indices: Tensor, weights: Tensor, counts: Tensor) -> Tensor:
        """``out[t] = sum_j weights[t, j] * expert[indices[t, j]](tokens[t])``, sparsely."""
        top_k = indices.shape[-1]
        if tokens.device.type == "meta":
            return torch.empty_like(tokens)
        order = torch.argsort(indices.reshape(-1), stable=True)  # slots grouped by expert
        token_of_slot = order // top_k
        weight_of_slot = weights.reshape(-1)[order].unsqueeze(-1)
        out = torch.zeros_like(tokens)
        start = 0
        for e, count in enumerate(counts.tolist()):
            if count == 0:
                continue
            ids = token_of_slot[start : start + count]
            y = self.expert(e, tokens[ids]) * weight_of_slot[start : start + count]
            out.index_add_(0, ids, y.to(out.dtype))
            start += count
        return out
