"""Stats computed from the document, checked against PyTorch's own counting."""

from __future__ import annotations

import pytest
import torch
from graph_helpers import unique_params
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from olm.graph import from_module, stats, summary


def test_total_parameters_match_pytorch(tiny_family, tiny):
    model = tiny.model(tiny_family)
    figures = stats(from_module(model))
    assert figures.complete
    assert figures.total_params == unique_params(model)
    assert figures.weight_bytes_fp32 == 4 * figures.total_params
    assert figures.weight_bytes_bf16 == 2 * figures.total_params


def test_active_parameters_of_a_mixture_of_experts(tiny):
    model = tiny.model("mixtral")  # 2 layers, 4 experts, top 2, bias-free SwiGLU experts
    figures = stats(from_module(model))
    idle_experts = 2 * (4 - 2)
    assert figures.active_params == unique_params(model) - idle_experts * 3 * tiny.dim * tiny.hidden
    dense = stats(from_module(tiny.model("mistral")))
    assert dense.active_params == dense.total_params


@pytest.mark.parametrize("tiny_family", ["gpt2", "llama3", "qwen2", "olmo"])
def test_forward_flops_match_torch_flop_counter(tiny_family, tiny):
    model = tiny.model(tiny_family).eval()
    seq_len = 16
    ids = torch.randint(0, tiny.vocab, (1, seq_len))
    counter = FlopCounterMode(display=False)
    # The math backend spells attention as matrix products the counter sees.
    with counter, torch.no_grad(), sdpa_kernel(SDPBackend.MATH):
        model(ids)
    figures = stats(from_module(model), seq_len=seq_len)
    assert figures.forward_flops_per_token == counter.get_total_flops() // seq_len
    assert figures.training_flops_per_token == 3 * figures.forward_flops_per_token


def test_kv_cache_bytes_per_token(tiny):
    # llama3 tiny: 2 layers, 2 key/value heads of size 32 // 4 = 8, keys and values, bf16
    figures = stats(from_module(tiny.model("llama3")))
    assert figures.kv_cache_bytes_per_token == 2 * 2 * (2 * 8) * 2


def test_per_node_shares(tiny):
    graph = from_module(tiny.model("llama3"))
    figures = stats(graph)
    assert figures.nodes[graph.root].share == pytest.approx(1.0)
    children = graph.nodes[graph.root].children
    assert sum(figures.nodes[c].share for c in children) == pytest.approx(1.0)
    repeat = children[1]
    layer = graph.nodes[repeat].children[0]
    assert figures.nodes[repeat].params == 2 * figures.nodes[layer].params


def test_stats_of_a_broken_document_do_not_raise(tiny):
    graph = from_module(tiny.model("llama3"))
    graph.variables["embed_dim"] = 30  # no longer divisible by 4 heads
    figures = stats(graph)
    assert not figures.complete


def test_summary_is_the_torchinfo_table(tiny):
    model = tiny.model("llama3")
    table = str(summary(from_module(model), seq_len=8))
    assert f"Total params: {unique_params(model):,}" in table
    assert "GroupedQueryAttention" in table


def test_summary_of_a_mixture_of_experts(tiny):
    model = tiny.model("mixtral")
    table = str(summary(from_module(model), seq_len=8))
    assert f"Total params: {unique_params(model):,}" in table
