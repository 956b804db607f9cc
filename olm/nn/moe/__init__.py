"""Mixture-of-experts feed-forwards: top-k routing, sparse dispatch, load-balancing loss."""

from olm.nn.moe.aux_loss import collect_aux_loss, load_balancing_loss
from olm.nn.moe.base import MoEFeedForwardBase
from olm.nn.moe.classic import ClassicMoEFFN
from olm.nn.moe.deepseek import DeepSeekMoEFFN, balance_routing_biases
from olm.nn.moe.deepseek_router import GroupLimitedRouter
from olm.nn.moe.dispatch import dispatch_sparse
from olm.nn.moe.geglu import GeGLUMoEFFN
from olm.nn.moe.gpt_oss import GptOssMoEFFN
from olm.nn.moe.router import MoERouter
from olm.nn.moe.swiglu import SwiGLUMoEFFN

__all__ = [
    "ClassicMoEFFN",
    "DeepSeekMoEFFN",
    "GroupLimitedRouter",
    "GeGLUMoEFFN",
    "GptOssMoEFFN",
    "MoEFeedForwardBase",
    "MoERouter",
    "SwiGLUMoEFFN",
    "balance_routing_biases",
    "collect_aux_loss",
    "dispatch_sparse",
    "load_balancing_loss",
]
