"""DeepSeek's fine-grained MoE against `transformers`' DeepSeek-V2/V3 MoE blocks (tiny, local)."""

from __future__ import annotations

import pytest
import torch
import transformers as T
from transformers.models.deepseek_v2 import modeling_deepseek_v2 as ds2
from transformers.models.deepseek_v3 import modeling_deepseek_v3 as ds3

from olm.nn.moe import DeepSeekMoEFFN, balance_routing_biases

D, E, K, HID, S = 16, 8, 3, 12, 2


def _randomize(module: torch.nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)


def _copy_experts(ours: DeepSeekMoEFFN, hf: torch.nn.Module) -> None:
    with torch.no_grad():
        ours.router.gate.weight.copy_(hf.gate.weight)
        gate, up = hf.experts.gate_up_proj.chunk(2, dim=1)  # [E, HID, D] each
        ours.experts.up.copy_(torch.cat([up, gate], dim=1))  # olm: value rows, then gate rows
        ours.experts.down.copy_(hf.experts.down_proj)
        shared = ours.shared_expert
        shared.up_proj.weight.copy_(
            torch.cat([hf.shared_experts.up_proj.weight, hf.shared_experts.gate_proj.weight])
        )
        shared.down_proj.weight.copy_(hf.shared_experts.down_proj.weight)


def test_v3_sigmoid_group_limited_routing_matches_transformers():
    config = T.DeepseekV3Config(
        hidden_size=D, moe_intermediate_size=HID, n_routed_experts=E, num_experts_per_tok=K,
        n_shared_experts=S, n_group=4, topk_group=2, norm_topk_prob=True,
        routed_scaling_factor=2.5,
    )
    hf = ds3.DeepseekV3MoE(config).eval()
    _randomize(hf, 0)
    with torch.no_grad():
        hf.gate.e_score_correction_bias.copy_(torch.linspace(-0.3, 0.3, E))
    ours = DeepSeekMoEFFN(
        D, E, K, hidden_dim=HID, num_shared_experts=S, scoring="sigmoid", num_groups=4,
        topk_groups=2, normalize_top_k=True, routed_scaling_factor=2.5,
    ).eval()
    _copy_experts(ours, hf)
    with torch.no_grad():
        ours.router.score_bias.copy_(hf.gate.e_score_correction_bias)
    x = torch.randn(3, 7, D, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(ours(x), hf(x), atol=1e-5, rtol=1e-4)
        # the bias changes which experts are chosen: without it the output differs
        ours.router.score_bias.zero_()
        assert not torch.allclose(ours(x), hf(x), atol=1e-4)


def test_v2_softmax_greedy_routing_matches_transformers():
    config = T.DeepseekV2Config(
        hidden_size=D, moe_intermediate_size=HID, n_routed_experts=E, num_experts_per_tok=K,
        n_shared_experts=S, topk_method="greedy", routed_scaling_factor=1.0,
        num_attention_heads=4, num_key_value_heads=4,
    )
    hf = ds2.DeepseekV2Moe(config).eval()
    _randomize(hf, 3)
    ours = DeepSeekMoEFFN(
        D, E, K, hidden_dim=HID, num_shared_experts=S, scoring="softmax",
        normalize_top_k=False, bias_balancing=False,
    ).eval()
    _copy_experts(ours, hf)
    x = torch.randn(2, 5, D, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        torch.testing.assert_close(ours(x), hf(x), atol=1e-5, rtol=1e-4)


def test_bias_balancing_moves_load_towards_equal():
    g = torch.Generator().manual_seed(0)
    moe = DeepSeekMoEFFN(D, E, 2, hidden_dim=HID, bias_update_rate=0.02)
    with torch.no_grad():  # a router that strongly prefers expert 0
        moe.router.gate.weight.copy_(torch.randn(E, D, generator=g) * 0.1)
        moe.router.gate.weight[0] += 0.4
    x = torch.randn(512, D, generator=g).abs()
    with torch.no_grad():
        moe(x)
        first = moe.last_expert_counts.clone()
        for _ in range(60):
            moe(x)
            assert balance_routing_biases(moe) == 1
        moe(x)
    after = moe.last_expert_counts
    assert first[0] == 512  # every token chose the favourite
    assert after.max() < first.max() and after[0] < first[0]
    assert moe.router.score_bias[0] < 0 < moe.router.score_bias[1:].max()
    assert int(after.sum()) == 2 * 512  # balancing changes the choice, never the slot count


def test_group_limits_are_validated():
    with pytest.raises(ValueError, match="num_groups 3 must divide num_experts 8"):
        DeepSeekMoEFFN(D, E, 2, hidden_dim=HID, num_groups=3)
    with pytest.raises(ValueError, match="top_k 5 exceeds"):
        DeepSeekMoEFFN(D, E, 5, hidden_dim=HID, num_groups=4, topk_groups=2)
