"""Broken models get the matching telemetry diagnostic, pinned to the node, step and layer."""

from __future__ import annotations

import torch

from olm.graph import build, save
from olm.train import TrainConfig, train_iter
from olm.train.diagnose import diagnose
from olm.train.events import TelemetryEvent
from olm.train.step import TrainStep
from olm.train.telemetry import Telemetry


def test_router_that_always_picks_expert_0_gets_dead_and_overloaded_experts(tiny):
    graph = tiny.graph("mixtral", num_experts=8, top_k=1)
    torch.manual_seed(0)
    model = build(graph)
    moe_ids = [n.id for n in graph.nodes.values() if n.type == "SwiGLUMoEFFN"]
    for m in model.modules():
        if hasattr(m, "last_expert_counts"):  # the broken router: expert 0 always wins
            m.router.gate.weight.requires_grad_(False)
            m.router.gate.register_forward_hook(
                lambda mod, i, out: out + torch.tensor([100.0] + [0.0] * 7))
    tel = Telemetry(model, graph, every=1)
    step = TrainStep(model, torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                                            lr=1e-3))
    step.inspect = tel.inspect
    x = torch.randint(0, tiny.vocab, (2, 16))
    tel.arm()
    step([(x, x)])
    event = TelemetryEvent(step=1, nodes=tel.finish())
    found = diagnose([event], graph)
    by_code = {(d.code, d.node_id, d.layer) for d in found}
    for layer in (0, 1):
        assert ("expert_overloaded", moe_ids[0], layer) in by_code
        assert ("expert_dead", moe_ids[0], layer) in by_code
    dead = next(d for d in found if d.code == "expert_dead")
    assert "expert 1 gets 0.0%" in dead.message and "step 1" in dead.message
    assert dead.step == 1 and dead.severity == "warning"
    assert not any(d.code.startswith("update") for d in found)


def test_a_healthy_run_has_no_update_or_activation_diagnostics(tiny, corpus_file, tmp_path):
    source = tmp_path / "m.olm.json"
    save(tiny.graph("llama3", vocab_size=256), source)
    events = list(train_iter(TrainConfig(
        source=str(source), data=str(corpus_file), steps=3, batch_size=2, seq_len=16, lr=1e-3,
        eval_every=0, eval_batches=1, threads=1, telemetry=1)))
    codes = {d.code for d in diagnose(events)}
    assert not codes & {"update_large", "act_exploding", "act_vanishing", "expert_dead"}


def test_huge_learning_rate_gets_update_ratio_diagnostic(tiny, corpus_file, tmp_path):
    source = tmp_path / "m.olm.json"
    graph = tiny.graph("llama3", vocab_size=256)
    save(graph, source)
    events = list(train_iter(TrainConfig(
        source=str(source), data=str(corpus_file), steps=4, batch_size=2, seq_len=16, lr=50.0,
        warmup_steps=0, schedule="constant", eval_every=0, eval_batches=1, threads=1,
        telemetry=1, grad_clip=None)))
    found = diagnose(events, graph)
    large = [d for d in found if d.code == "update_large"]
    assert large, [d.code for d in found]
    steps = [e.step for e in events if isinstance(e, TelemetryEvent)]
    assert large[0].step in steps[:2] and large[0].node_id in graph.nodes
    assert "far above the usual 1e-3" in large[0].message
    layered = [d for d in large if d.layer is not None]
    assert layered and "in layer" in layered[0].message


def test_depth_and_attention_and_gain_rules_on_made_up_events(tiny):
    graph = tiny.graph("llama3")
    repeat = next(n for n in graph.nodes.values() if n.type == "Repeat")
    layer_out = repeat.children[0]
    attn = next(n.id for n in graph.nodes.values() if n.type == "GroupedQueryAttention")
    norm = next(n.id for n in graph.nodes.values() if n.type == "RMSNorm")
    events = [
        TelemetryEvent(step=10, nodes={attn: {"attn_entropy_norm": [0.999, 0.5]}}),
        TelemetryEvent(step=20, nodes={layer_out: {"act_rms": [1.0, 500.0]},
                                       attn: {"attn_entropy_norm": [0.01, 0.999]},
                                       norm: {"norm_gain": [0.9, 0.001]}}),
    ]
    found = {d.code: d for d in diagnose(events, graph)}
    assert found["act_exploding"].node_id == layer_out and found["act_exploding"].step == 20
    assert found["attention_collapse"].layer == 0
    assert found["attention_uniform"].layer == 1 and found["attention_uniform"].step == 20
    assert found["norm_gain_zero"].layer == 1 and found["norm_gain_zero"].node_id == norm
    shrink = diagnose([TelemetryEvent(step=5, nodes={layer_out: {"act_rms": [1.0, 0.001]}})],
                      graph)
    assert [d.code for d in shrink] == ["act_vanishing"]
