"""Telemetry values against direct computation on tiny models, and the event in a run."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from olm.graph import build, load
from olm.graph.module_map import node_modules
from olm.train import TrainConfig, train_iter
from olm.train.events import TelemetryEvent, read_events
from olm.train.losses import CrossEntropyLoss
from olm.train.step import TrainStep
from olm.train.telemetry import Telemetry, sampled_rows


def _collect(tiny, family: str, lr: float = 1e-3, **overrides):
    graph = tiny.graph(family, **overrides)
    torch.manual_seed(0)
    model = build(graph)
    reference = copy.deepcopy(model)
    tel = Telemetry(model, graph, every=1)
    step = TrainStep(model, torch.optim.SGD(model.parameters(), lr=lr))
    step.inspect = tel.inspect
    x = torch.randint(0, tiny.vocab, (2, 16), generator=torch.Generator().manual_seed(1))
    tel.arm()
    step([(x, x)])
    return graph, model, reference, tel, tel.finish(), x


def _path_of(model, module) -> str:
    return next(name for name, m in model.named_modules() if m is module)


def test_act_rms_grad_norm_and_update_ratio_are_exact(tiny):
    graph, model, reference, tel, nodes, x = _collect(tiny, "llama3", lr=0.5)
    # plain PyTorch on the untouched copy: outputs by hook, gradients by autograd
    outputs = {}
    handles = [m.register_forward_hook(lambda m, i, o, name=name: outputs.__setitem__(name, o))
               for name, m in reference.named_modules()]
    CrossEntropyLoss()(reference(x), x).backward()
    for h in handles:
        h.remove()
    before = {n: p.detach().clone() for n, p in reference.named_parameters()}
    checked = 0
    for node_id, entry in tel.map.items():
        for layer, module in enumerate(entry.modules):
            name = _path_of(model, module)
            got = nodes[node_id]
            pick = (lambda v, i=layer: v[i]) if entry.layered else (lambda v: v)
            out = outputs[name]
            assert pick(got["act_rms"]) == pytest.approx(out.float().pow(2).mean().sqrt().item(),
                                                         rel=1e-5)
            if entry.type in ("RMSNorm", "GroupedQueryAttention", "SwiGLUFFN", "Embedding"):
                ref = dict(reference.named_modules())[name]
                grads = [p.grad for p in ref.parameters()]
                want = torch.stack([g.pow(2).sum() for g in grads]).sum().sqrt().item()
                assert pick(got["grad_norm"]) == pytest.approx(want, rel=1e-5)
                # SGD: dw = lr * g, so the update ratio is lr * ||g|| / ||w||
                w = torch.stack([before[f"{name}.{n}" if name else n].pow(2).sum()
                                 for n, _ in ref.named_parameters()]).sum().sqrt().item()
                assert pick(got["update_ratio"]) == pytest.approx(0.5 * want / w, rel=1e-4)
                checked += 1
    assert checked >= 7  # embedding, 2 layers x (2 norms, attention, ffn) - at least


def test_norm_gain_is_the_mean_weight(tiny):
    graph, model, _, tel, nodes, _ = _collect(tiny, "llama3")
    for node_id, entry in tel.map.items():
        if entry.type == "RMSNorm" and entry.layered:
            for layer, module in enumerate(entry.modules):
                assert nodes[node_id]["norm_gain"][layer] == pytest.approx(
                    module.weight.detach().mean().item(), rel=1e-6)


def test_attention_entropy_against_full_softmax(tiny):
    graph, model, reference, tel, nodes, x = _collect(tiny, "llama3", lr=0.0)
    inputs = {}
    for node_id, entry in tel.map.items():
        if entry.type != "GroupedQueryAttention":
            continue
        for layer, module in enumerate(entry.modules):
            h = module.register_forward_pre_hook(lambda m, i: inputs.__setitem__(m, i[0]))
            with torch.no_grad():
                model(x)
            h.remove()
            a = inputs[module][:1]
            n = a.shape[1]
            b = module
            q = b.q_proj(a).view(1, n, b.num_heads, b.head_dim).transpose(1, 2)
            k = b.k_proj(a).view(1, n, b.num_kv_heads, b.head_dim).transpose(1, 2)
            q, k = b.rope.rotate_qk(q, k, 0)
            k = k.repeat_interleave(b.num_heads // b.num_kv_heads, dim=1)
            scores = (q @ k.transpose(-1, -2)) * b.scale
            causal = torch.ones(n, n, dtype=torch.bool).tril()
            probs = F.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
            rows = sampled_rows(n)
            p = probs[:, :, rows]
            ent = -(p * torch.log(p.clamp_min(1e-30))).sum(-1)
            got = nodes[node_id]
            assert got["attn_entropy"][layer] == pytest.approx(ent.mean().item(), rel=1e-4)
            norm = ent / torch.log(torch.tensor([r + 1.0 for r in rows]))
            assert got["attn_entropy_norm"][layer] == pytest.approx(norm.mean().item(), rel=1e-4)
            top = scores.masked_fill(~causal, float("-inf"))[:, :, rows].max().item()
            assert got["attn_max_logit"][layer] == pytest.approx(top, rel=1e-4)


def test_expert_load_and_router_entropy_against_plain_routing(tiny):
    graph, model, reference, tel, nodes, x = _collect(tiny, "mixtral", lr=0.0)
    inputs = {}
    handles = [m.register_forward_pre_hook(lambda m, i: inputs.__setitem__(m, i[0]))
               for m in model.modules() if hasattr(m, "last_expert_counts")]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    seen = 0
    for node_id, entry in tel.map.items():
        if entry.type != "SwiGLUMoEFFN":
            continue
        for layer, module in enumerate(entry.modules):
            tokens = inputs[module].reshape(-1, tiny.dim)
            probs = F.softmax(tokens @ module.router.gate.weight.T, dim=-1)
            top = probs.topk(module.top_k, dim=-1).indices
            counts = torch.bincount(top.reshape(-1), minlength=module.num_experts).float()
            assert nodes[node_id]["expert_load"][layer] == pytest.approx(
                (counts / counts.sum()).tolist(), abs=1e-6)
            ent = -(probs * probs.log()).sum(-1).mean().item()
            assert nodes[node_id]["router_entropy"][layer] == pytest.approx(ent, rel=1e-4)
            seen += 1
    assert seen == 2


def test_every_node_of_the_document_maps_to_its_modules(tiny):
    graph = tiny.graph("gemma3")
    model = build(graph)
    mapping = node_modules(graph, model)
    assert set(mapping) == set(graph.nodes)
    repeat = next(e for e in mapping.values() if e.type == "Repeat")
    layers = len(repeat.modules[0].stack)
    for entry in mapping.values():
        if entry.layered:
            assert len(entry.modules) == layers
    # two variants: each layer belongs to exactly one of the Repeat's children
    variants = graph.node(repeat.node_id).children
    for layer in range(layers):
        assert sum(mapping[v].modules[layer] is not None for v in variants) == 1


def test_run_streams_telemetry_whose_ids_resolve_in_the_saved_graph(tiny, corpus_file, tmp_path):
    source = tmp_path / "model.olm.json"
    from olm.graph import save

    save(tiny.graph("llama3", vocab_size=256), source)
    out = tmp_path / "run"
    events_file = tmp_path / "events.jsonl"
    config = TrainConfig(source=str(source), data=str(corpus_file), steps=4, batch_size=2,
                         seq_len=16, eval_every=0, eval_batches=1, threads=1, telemetry=2,
                         out=str(out), events=str(events_file))
    events = list(train_iter(config))
    tele = [e for e in events if isinstance(e, TelemetryEvent)]
    assert [e.step for e in tele] == [2, 4]
    for e in tele:
        json.dumps(e.to_json(), allow_nan=False)
        back = TelemetryEvent.from_json(json.loads(json.dumps(e.to_json())))
        assert back.nodes == e.nodes
    saved = load(next(out.rglob("model.olm.json")))
    assert set(tele[-1].nodes) <= set(saved.nodes)
    assert all(math.isfinite(v) for n in tele[-1].nodes.values()
               for v in ([n["act_rms"]] if not isinstance(n["act_rms"], list) else n["act_rms"]))


def test_telemetry_lines_are_read_back_by_the_one_reader(tmp_path):
    from olm.train.events import EventWriter

    path = tmp_path / "e.jsonl"
    with EventWriter(path) as w:
        w.write(TelemetryEvent(step=3, nodes={"abc": {"act_rms": [1.0, float("nan")],
                                                      "expert_load": [[0.5, 0.5]]}}))
    (event,) = read_events(Path(path))
    assert isinstance(event, TelemetryEvent)
    assert event.nodes == {"abc": {"act_rms": [1.0, None], "expert_load": [[0.5, 0.5]]}}


@pytest.mark.slow
def test_under_ddp_rank_0_reports_values_over_both_ranks(tiny, tmp_path):
    from torchrun import run_two_ranks

    from olm.graph import save

    here = Path(__file__).resolve().parent
    graph = tiny.graph("llama3")
    save(graph, tmp_path / "m.olm.json")
    out = tmp_path / "nodes.json"
    run_two_ranks(here / "ddp_telemetry_worker.py", str(tmp_path / "m.olm.json"), str(out))
    nodes = json.loads(out.read_text())
    # plain PyTorch over both ranks' batches: the same weights, one model
    graph = load(tmp_path / "m.olm.json")
    torch.manual_seed(0)
    model = build(graph)
    xs = [torch.randint(0, 96, (2, 16), generator=torch.Generator().manual_seed(10 + r))
          for r in range(2)]
    logits = [model(x) for x in xs]
    rms = torch.cat(logits).pow(2).mean().sqrt().item()
    assert nodes[graph.root]["act_rms"] == pytest.approx(rms, rel=1e-5)
    loss = sum(CrossEntropyLoss()(lg, x) for lg, x in zip(logits, xs)) / 2  # DDP's mean
    loss.backward()
    emb = next(n.id for n in graph.nodes.values() if n.type == "Embedding")
    module = node_modules(graph, model)[emb].modules[0]
    want = torch.stack([p.grad.pow(2).sum() for p in module.parameters()]).sum().sqrt().item()
    assert nodes[emb]["grad_norm"] == pytest.approx(want, rel=1e-4)


def test_attention_stats_include_the_alibi_bias():
    from olm.nn.attention.alibi import MultiHeadAttentionwithALiBi
    from olm.train.telemetry import attention_rows_stats

    torch.manual_seed(0)
    layer = MultiHeadAttentionwithALiBi(32, 4)
    x = torch.randn(1, 16, 32)
    ent, _, top = attention_rows_stats(layer, x, [9, 15])
    with torch.no_grad():
        q = layer.q_proj(x).view(1, 16, 4, 8).transpose(1, 2)
        k = layer.k_proj(x).view(1, 16, 4, 8).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) * layer.scale + layer.alibi(16, 16, device=x.device)
        scores = scores.masked_fill(~torch.ones(16, 16, dtype=torch.bool).tril(), float("-inf"))
        p = F.softmax(scores, -1)[:, :, [9, 15]]
        want = -(p * torch.log(p.clamp_min(1e-30))).sum(-1).mean()
    assert ent.item() == pytest.approx(want.item(), rel=1e-5)
    assert top.item() == pytest.approx(scores[:, :, [9, 15]].max().item(), rel=1e-5)


def test_a_module_olm_cannot_describe_is_refused_with_telemetry(corpus_file):
    from olm.core.errors import OLMError

    class Plain(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb, self.out = torch.nn.Embedding(256, 8), torch.nn.Linear(8, 256)

        def forward(self, x):
            return self.out(self.emb(x))

    config = TrainConfig(source=Plain(), data=str(corpus_file), steps=2, batch_size=2,
                         seq_len=8, eval_every=0, eval_batches=1, threads=1, telemetry=1)
    with pytest.raises(OLMError, match="telemetry needs a model olm can describe"):
        list(train_iter(config))
