"""``stats``: what a model costs, computed from the document without allocating weights.

Every leaf is instantiated once on the ``meta`` device (cached, see :mod:`olm.graph.meta`)
and its parameters counted, or, before torch is loaded, its figures are read from the
shipped table (:mod:`olm.graph.facts`); containers add their children up, ``Repeat``
multiplies each variant by its layers.

Definitions (per token, at sequence length ``seq_len``):

- parameters: unique parameters (a tied head adds nothing beyond the embedding);
- active parameters: a mixture of experts counts only ``top_k`` of its routed experts;
- forward FLOPs: ``2 x`` the active parameters used in matrix products (all 2-D weights
  except lookup tables; a tied head multiplies by the embedding table), plus attention's
  ``4 x seq_len x num_heads x head_dim`` per layer (scores ``QK^T`` and ``softmax @ V``,
  as computed by dense kernels, which do not skip the masked half);
- training FLOPs: ``3 x`` forward (backward costs about twice the forward);
- weight memory: parameters x 4 bytes (fp32) and x 2 bytes (bf16);
- KV cache: keys and values of every attention layer, in bf16 (2 bytes each).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from olm.core.errors import ConfigError, OLMError
from olm.core.limits import check_value
from olm.graph.catalog import catalog
from olm.graph.document import Graph
from olm.graph.facts import LeafFacts, facts_of, leaf_facts
from olm.graph.repeat import variant_counts
from olm.graph.values import ExprError

__all__ = ["NodeStats", "Stats", "stats", "costs_of", "leaf_costs"]

DEFAULT_SEQ_LEN = 2048


@dataclass
class NodeStats:
    """Figures for one node (containers: their whole content, repeats included).

    Args:
        params (int): parameters.
        active_params (int): parameters used per token.
        matmul_params (int): active parameters used in matrix products.
        attention_flops (int): per-token FLOPs of attention scores at ``seq_len``.
        kv_bytes (int): KV-cache bytes per token (bf16).
        share (float): fraction of the model's parameters.
    """

    params: int = 0
    active_params: int = 0
    matmul_params: int = 0
    attention_flops: int = 0
    kv_bytes: int = 0
    share: float = 0.0

    def add(self, other: NodeStats, times: int = 1) -> None:
        self.params += other.params * times
        self.active_params += other.active_params * times
        self.matmul_params += other.matmul_params * times
        self.attention_flops += other.attention_flops * times
        self.kv_bytes += other.kv_bytes * times


@dataclass
class Stats:
    """What the model costs (see the module docstring for the definitions).

    Args:
        total_params (int): unique parameters.
        active_params (int): parameters used per token (differs for MoE).
        forward_flops_per_token (int): forward FLOPs per token at ``seq_len``.
        training_flops_per_token (int): about 3x the forward.
        weight_bytes_fp32 (int): weight memory in float32.
        weight_bytes_bf16 (int): weight memory in bfloat16.
        kv_cache_bytes_per_token (int): bf16 keys and values cached per token.
        seq_len (int): the sequence length the FLOPs assume.
        complete (bool): False when some node could not be measured (see validate).
        nodes (dict[str, NodeStats]): per-node figures by node id.
    """

    total_params: int
    active_params: int
    forward_flops_per_token: int
    training_flops_per_token: int
    weight_bytes_fp32: int
    weight_bytes_bf16: int
    kv_cache_bytes_per_token: int
    seq_len: int
    complete: bool = True
    nodes: dict[str, NodeStats] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able figures (``olm info --json``)."""
        out = asdict(self)
        out["nodes"] = {k: asdict(v) for k, v in self.nodes.items()}
        return out


def costs_of(facts: LeafFacts, seq_len: int) -> NodeStats:
    """Parameters, active parameters, FLOP terms and KV bytes from a leaf's figures."""
    out = NodeStats(facts.params, facts.active_params, facts.matmul_params)
    # scores QK^T and softmax @ V, both per query head (shared KV heads are broadcast)
    out.attention_flops = 4 * seq_len * facts.q_dim
    out.kv_bytes = 2 * facts.kv_dim
    return out


def leaf_costs(module: Any, family: str, seq_len: int) -> NodeStats:
    """Parameters, active parameters, FLOP terms and KV bytes of one built leaf."""
    return costs_of(facts_of(module, family), seq_len)


class _Counter:
    def __init__(self, graph: Graph, env: dict[str, Any], seq_len: int) -> None:
        self.graph = graph
        self.env = env
        self.seq_len = seq_len
        self.nodes: dict[str, NodeStats] = {}
        self.complete = True

    def visit(self, node_id: str) -> NodeStats:
        node = self.graph.nodes.get(node_id)
        result = NodeStats()
        if node is None:
            self.complete = False
            return result
        if node.is_container:
            if node.type == "Repeat":
                try:
                    # The count is range-checked before it multiplies anything: out of
                    # range (validate says which), each variant counts once, incomplete.
                    counts = variant_counts(node, self.env)
                except (ConfigError, ExprError, TypeError, ValueError):
                    counts, self.complete = [1] * len(node.children), False
                for child, count in zip(node.children, counts):
                    result.add(self.visit(child), count)
            else:
                for child in node.children:
                    result.add(self.visit(child))
        else:
            for owned in node.module_params().values():
                self.visit(owned)  # figures of its own; already inside the owner's module
            try:
                family = catalog().get(node.type).family
                facts = leaf_facts(self.graph, node_id, self.env, family)
                result = costs_of(facts, self.seq_len)
            except (OLMError, ExprError):
                self.complete = False
        self.nodes[node_id] = result
        return result


def stats(graph: Graph, seq_len: int | None = None) -> Stats:
    """Parameters, FLOPs and memory of ``graph`` without allocating weights.

    Args:
        graph (Graph): the document (may be invalid: unmeasurable nodes count as 0 and
            ``complete`` is False).
        seq_len (int | None): sequence length for the attention FLOPs. Default: 2048.
    """
    env, _ = graph.variable_values()
    seq_len = DEFAULT_SEQ_LEN if seq_len is None else seq_len
    problem = check_value("seq_len", "int", seq_len)
    if problem:
        raise ConfigError(problem)
    seq_len = int(seq_len)
    counter = _Counter(graph, env, seq_len)
    total = counter.visit(graph.root)
    for figures in counter.nodes.values():
        figures.share = figures.params / total.params if total.params else 0.0
    forward = 2 * total.matmul_params + total.attention_flops
    return Stats(
        total_params=total.params,
        active_params=total.active_params,
        forward_flops_per_token=forward,
        training_flops_per_token=3 * forward,
        weight_bytes_fp32=4 * total.params,
        weight_bytes_bf16=2 * total.params,
        kv_cache_bytes_per_token=total.kv_bytes,
        seq_len=seq_len,
        complete=counter.complete,
        nodes=counter.nodes,
    )
