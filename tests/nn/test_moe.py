"""Mixture of experts: top-k routing, sparse dispatch, shared experts, balancing loss."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.core.registry import MOE
from olm.nn import feedforward as ff
from olm.nn.moe import (
    ClassicMoEFFN,
    GeGLUMoEFFN,
    MoEFeedForwardBase,
    MoERouter,
    SwiGLUMoEFFN,
    collect_aux_loss,
)
from olm.nn.structure import Block, Residual

D = 8


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _randomise(module, scale=0.5):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * scale)
    return module


def _dense_reference(moe, x):
    """Every expert on every token, then softmax / top-k / renormalise per token by hand."""
    flat = x.reshape(-1, moe.embed_dim)
    out = torch.zeros_like(flat)
    for t in range(flat.shape[0]):
        token = flat[t : t + 1]
        logits = token @ moe.router.gate.weight.T  # [1, E]
        probs = torch.exp(logits - logits.max()) / torch.exp(logits - logits.max()).sum()
        ranked = sorted(range(moe.num_experts), key=lambda e: -probs[0, e].item())
        chosen = ranked[: moe.top_k]
        total = sum(probs[0, e] for e in chosen)
        for e in chosen:
            out[t] += (probs[0, e] / total) * moe.experts[e](token)[0]
        for shared in moe.shared_experts or []:
            out[t] += shared(token)[0]
    return out.reshape(x.shape)


def _count_calls(moe):
    """Wrap each expert's forward to record how many tokens it was given."""
    seen = {e: [] for e in range(moe.num_experts)}
    for e, expert in enumerate(moe.experts):
        original = expert.forward

        def wrapped(inp, _e=e, _orig=original):
            seen[_e].append(inp.shape[0])
            return _orig(inp)

        expert.forward = wrapped
    return seen


@pytest.mark.parametrize("cls", [SwiGLUMoEFFN, ClassicMoEFFN, GeGLUMoEFFN])
@pytest.mark.parametrize("shared", [0, 1])
def test_equals_dense_reference(cls, shared):
    moe = _randomise(cls(D, num_experts=4, top_k=2, hidden_dim=12, num_shared_experts=shared))
    x = torch.randn(2, 5, D)
    out = moe(x)
    assert out.shape == x.shape and isinstance(out, torch.Tensor)
    torch.testing.assert_close(out, _dense_reference(moe, x), atol=1e-5, rtol=1e-5)


@settings(max_examples=15, deadline=None)
@given(
    num_experts=st.integers(1, 5),
    k_fraction=st.floats(0.0, 1.0),
    tokens=st.integers(1, 9),
    seed=st.integers(0, 2**16),
)
def test_any_routing_equals_dense_reference(num_experts, k_fraction, tokens, seed):
    torch.manual_seed(seed)
    top_k = 1 + int(k_fraction * (num_experts - 1))
    moe = _randomise(SwiGLUMoEFFN(4, num_experts=num_experts, top_k=top_k, hidden_dim=6))
    x = torch.randn(1, tokens, 4)
    torch.testing.assert_close(moe(x), _dense_reference(moe, x), atol=1e-5, rtol=1e-5)
    assert int(moe.last_expert_counts.sum()) == tokens * top_k


def test_shared_experts_add_their_output():
    moe = _randomise(SwiGLUMoEFFN(D, num_experts=4, top_k=1, hidden_dim=12, num_shared_experts=2))
    x = torch.randn(3, 4, D)
    with_shared = moe(x)
    shared = moe.shared_experts
    moe.shared_experts = None
    routed_only = moe(x)
    torch.testing.assert_close(with_shared - routed_only, shared[0](x) + shared[1](x))


def test_routes_top_k_and_counts_match_the_calls():
    moe = _randomise(SwiGLUMoEFFN(D, num_experts=6, top_k=2, hidden_dim=12))
    x = torch.randn(4, 5, D)
    logits = x.reshape(-1, D) @ moe.router.gate.weight.T
    expected_top = torch.topk(logits, 2, dim=-1).indices  # softmax keeps the order
    expected_counts = torch.bincount(expected_top.reshape(-1), minlength=6)
    seen = _count_calls(moe)
    moe(x)
    assert moe.last_expert_counts.tolist() == expected_counts.tolist()
    assert int(moe.last_expert_counts.sum()) == 20 * 2
    for e in range(6):
        expected = [int(expected_counts[e])] if expected_counts[e] else []
        assert seen[e] == expected  # each expert ran once, on exactly its tokens


def test_sparse_an_unrouted_expert_is_never_called():
    moe = _randomise(SwiGLUMoEFFN(D, num_experts=4, top_k=2, hidden_dim=12))
    with torch.no_grad():
        moe.router.gate.weight[3] = -10.0  # positive inputs: expert 3 always ranks last
    seen = _count_calls(moe)
    x = torch.rand(2, 6, D) + 0.1
    out = moe(x)
    assert seen[3] == []
    assert moe.last_expert_counts[3] == 0
    assert sum(sum(v) for v in seen.values()) == 12 * 2  # T * k tokens in total, no more
    out.sum().backward()
    assert all(p.grad is None for p in moe.experts[3].parameters())
    assert moe.experts[0].up_proj.weight.grad is not None


def test_router_returns_renormalised_top_k():
    router = _randomise(MoERouter(D, num_experts=5, top_k=3))
    x = torch.randn(2, 4, D)
    indices, weights = router(x)
    assert indices.shape == (2, 4, 3) and weights.shape == (2, 4, 3)
    probs = torch.softmax(x @ router.gate.weight.T, dim=-1)
    top = torch.topk(probs, 3, dim=-1)
    assert torch.equal(indices, top.indices)
    torch.testing.assert_close(weights, top.values / top.values.sum(-1, keepdim=True))
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4))


def _mixtral_block(num_experts, top_k, hidden, inter):
    from transformers import MixtralConfig
    from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

    cfg = MixtralConfig(
        hidden_size=hidden,
        intermediate_size=inter,
        num_local_experts=num_experts,
        num_experts_per_tok=top_k,
        num_attention_heads=2,
        num_key_value_heads=1,
    )
    block = MixtralSparseMoeBlock(cfg)
    _randomise(block)
    return block.eval()


def test_matches_transformers_mixtral_sparse_block():
    theirs = _mixtral_block(num_experts=4, top_k=2, hidden=D, inter=12)
    ours = SwiGLUMoEFFN(D, num_experts=4, top_k=2, hidden_dim=12, bias=False)
    with torch.no_grad():
        ours.router.gate.weight.copy_(theirs.gate.weight)
        for e, expert in enumerate(ours.experts):
            gate, up = theirs.experts.gate_up_proj[e].chunk(2, dim=0)  # HF: gate rows first
            expert.up_proj.weight.copy_(torch.cat([up, gate]))  # ours: value rows first
            expert.down_proj.weight.copy_(theirs.experts.down_proj[e])
    x = torch.randn(2, 5, D)
    torch.testing.assert_close(ours(x), theirs(x))
    _, their_weights, their_indices = theirs.gate(x.reshape(-1, D))
    indices, weights = ours.router(x.reshape(-1, D))
    assert torch.equal(indices, their_indices)
    torch.testing.assert_close(weights, their_weights)


def test_aux_loss_matches_transformers_load_balancing_loss():
    from transformers.models.mixtral.modeling_mixtral import load_balancing_loss_func

    moe = _randomise(SwiGLUMoEFFN(D, num_experts=4, top_k=2, hidden_dim=12, aux_loss_coef=0.05))
    x = torch.randn(3, 7, D)
    moe(x)
    logits = x.reshape(-1, D) @ moe.router.gate.weight.T
    expected = 0.05 * load_balancing_loss_func((logits,), num_experts=4, top_k=2)
    torch.testing.assert_close(moe.aux_loss, expected)


def test_aux_loss_switch_formula_on_a_constructed_case():
    # Gate = 2 * identity on 4 dims; token j's logits are 2 * x_j.
    moe = SwiGLUMoEFFN(4, num_experts=4, top_k=1, hidden_dim=4, aux_loss_coef=1.0)
    with torch.no_grad():
        moe.router.gate.weight.copy_(2.0 * torch.eye(4))
    x = torch.tensor([[1.0, 0, 0, 0], [1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0]])
    moe(x.unsqueeze(0))
    # Routed to experts 0, 0, 1, 2 -> f = [2, 1, 1, 0] / 4.
    assert moe.last_expert_counts.tolist() == [2, 1, 1, 0]
    hi = math.exp(2) / (math.exp(2) + 3)  # probability of the chosen expert
    lo = 1 / (math.exp(2) + 3)
    mean_p = [(2 * hi + 2 * lo) / 4, (hi + 3 * lo) / 4, (hi + 3 * lo) / 4, (4 * lo) / 4]
    f = [0.5, 0.25, 0.25, 0.0]
    expected = 4 * sum(fi * pi for fi, pi in zip(f, mean_p))
    assert moe.aux_loss.item() == pytest.approx(expected, rel=1e-6)


def test_aux_loss_gradient_reaches_the_router_only():
    moe = _randomise(SwiGLUMoEFFN(D, num_experts=4, top_k=2, hidden_dim=12))
    moe(torch.randn(2, 6, D))
    moe.aux_loss.backward()
    assert moe.router.gate.weight.grad is not None
    assert moe.router.gate.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in moe.experts.parameters())


def test_collect_aux_loss_sums_every_moe_layer():
    layers = [
        Residual(SwiGLUMoEFFN(D, num_experts=4, hidden_dim=12)),
        Residual(ClassicMoEFFN(D, num_experts=3, hidden_dim=12)),
    ]
    model = Block(layers)
    assert collect_aux_loss(model) is None  # nothing has run yet
    model(torch.randn(2, 3, D))
    total = collect_aux_loss(model)
    torch.testing.assert_close(total, layers[0].block.aux_loss + layers[1].block.aux_loss)
    assert collect_aux_loss(Block([ff.SwiGLUFFN(D)])) is None


def test_bf16_input_keeps_dtype():
    moe = SwiGLUMoEFFN(D, num_experts=4, hidden_dim=12).to(torch.bfloat16)
    out = moe(torch.randn(2, 3, D, dtype=torch.bfloat16))
    assert out.dtype == torch.bfloat16
    assert moe.aux_loss.dtype == torch.float32


def test_bad_hyperparameters_name_argument_and_rule():
    with pytest.raises(ConfigError, match="top_k 3 must be <= num_experts 2"):
        SwiGLUMoEFFN(D, num_experts=2, top_k=3)
    with pytest.raises(ConfigError, match="num_experts must be a positive integer"):
        SwiGLUMoEFFN(D, num_experts=0)
    with pytest.raises(ConfigError, match="num_shared_experts must be an integer >= 0"):
        ClassicMoEFFN(D, num_shared_experts=-1)
    with pytest.raises(ConfigError, match="aux_loss_coef must be a number >= 0"):
        GeGLUMoEFFN(D, aux_loss_coef=-0.1)
    with pytest.raises(ConfigError, match="top_k must be a positive integer"):
        MoERouter(D, 4, top_k=0)
    with pytest.raises(ValueError, match=r"expects input of shape \[\.\.\., 8\]"):
        SwiGLUMoEFFN(D, num_experts=2)(torch.randn(2, 3, 5))


def test_import_paths_registry_and_recorded_args():
    from olm.nn.feedforward.swiglu_moe import SwiGLUMoEFFN as FromReferencePage

    assert FromReferencePage is SwiGLUMoEFFN is ff.SwiGLUMoEFFN
    assert ff.ClassicMoEFFN is ClassicMoEFFN and ff.GeGLUMoEFFN is GeGLUMoEFFN
    assert MOE.get("swiglu_moe") is SwiGLUMoEFFN
    for cls in (ClassicMoEFFN, SwiGLUMoEFFN, GeGLUMoEFFN):
        assert cls.family == "moe" and issubclass(cls, MoEFeedForwardBase)
    moe = SwiGLUMoEFFN(D, num_experts=8, top_k=2, bias=False)
    assert init_args(moe) == {"embed_dim": D, "num_experts": 8, "top_k": 2, "bias": False}
    assert len(moe.experts) == 8 and moe.shared_experts is None
    assert all(e.up_proj.bias is None for e in moe.experts)


def test_meta_device_construction_and_forward():
    with torch.device("meta"):
        moe = SwiGLUMoEFFN(4096, num_experts=8, top_k=2, hidden_dim=14336, bias=False)
    assert all(p.is_meta for p in moe.parameters())
    assert sum(p.numel() for p in moe.parameters()) == 8 * 3 * 4096 * 14336 + 8 * 4096
    out = moe(torch.empty(2, 3, 4096, device="meta"))
    assert out.is_meta and out.shape == (2, 3, 4096)


def test_training_step_reduces_a_loss():
    moe = SwiGLUMoEFFN(D, num_experts=4, hidden_dim=12)
    x, target = torch.randn(8, D), torch.randn(8, D)
    opt = torch.optim.SGD(moe.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        loss = F.mse_loss(moe(x), target) + moe.aux_loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
