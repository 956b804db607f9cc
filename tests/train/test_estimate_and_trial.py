"""The cost estimate's rules, memory proposals, activation
checkpointing against plain autograd, and the trial-scale rules."""

from __future__ import annotations

import statistics

import pytest
import torch

from olm.graph import build, from_source, load, stats
from olm.graph.diff import compare
from olm.graph.overrides import apply_overrides
from olm.train import TrainConfig
from olm.train.estimate import WARN_SECONDS, estimate_step, flops_step_seconds
from olm.train.preflight import preflight
from olm.train.trial import ORIGINAL_DOCUMENT, TRIAL_DOCUMENT, trial_config, trial_sizes

TINY = {"num_layers": 2, "embed_dim": 64, "num_heads": 4, "num_kv_heads": 2,
        "hidden_dim": 128, "max_seq_len": 64, "vocab_size": 256}


def _tiny(name="Llama3_2_1B"):
    return apply_overrides(from_source(name), {k: v for k, v in TINY.items()
                                               if k in from_source(name).variables})


@pytest.mark.parametrize("costs, steps_run, median_of", [
    # the time budget ends it after five steps: the first two are dropped
    ([0.4, 0.3, 0.2, 0.5, 0.2, 0.9, 0.9], 5, [0.2, 0.5, 0.2]),
    # three steps always run, however slow; with three, only the first is dropped
    ([3.0, 2.0, 0.5, 0.1], 3, [2.0, 0.5]),
    # fast steps: twelve at most
    ([0.25] * 3 + [0.01] * 17, 12, [0.25] + [0.01] * 9),
])
def test_probe_drops_the_warmup_steps_and_takes_the_median(monkeypatch, costs, steps_run,
                                                           median_of):
    # a fake clock that each step advances by its cost: what the probe reports follows
    # from its rules, not from this machine (benchmarks/estimate_accuracy.py measures how
    # close it comes to a real run)
    from types import SimpleNamespace

    from olm.train import estimate

    clock = {"now": 0.0, "steps": 0}

    def step_done(_device) -> None:
        clock["now"] += costs[clock["steps"]]
        clock["steps"] += 1

    monkeypatch.setattr(estimate, "_sync", step_done)
    monkeypatch.setattr(estimate, "time", SimpleNamespace(perf_counter=lambda: clock["now"]))
    config = TrainConfig(source="x", steps=14, batch_size=2, seq_len=16, device="cpu")
    seconds = estimate.probe_step_seconds(build(_tiny()), config, 256, torch.device("cpu"),
                                          max_seconds=1.5)
    assert clock["steps"] == steps_run
    assert seconds == pytest.approx(statistics.median(median_of))


def test_flops_estimate_scales_with_tokens_and_model():
    cpu = torch.device("cpu")
    small, big = stats(_tiny(), seq_len=64), stats(from_source("GPT2"), seq_len=64)
    a = flops_step_seconds(small.training_flops_per_token, 1000, cpu)
    assert flops_step_seconds(small.training_flops_per_token, 2000, cpu) == pytest.approx(2 * a)
    assert flops_step_seconds(big.training_flops_per_token, 1000, cpu) > 50 * a


def test_long_run_warns_and_proposes_trial():
    config = TrainConfig(source="GPT2", steps=1000, seq_len=128, batch_size=8, device="cpu",
                         fit_vocab=True)
    problems = preflight(from_source("GPT2"), config, lambda _d: 10**12)
    slow = [p for p in problems if "will take about" in p.message]
    assert slow and slow[0].severity == "warning" and "--trial" in slow[0].fix
    est = estimate_step(from_source("GPT2"), config, torch.device("cpu"), 256, probe=False)
    assert est.total_seconds > WARN_SECONDS  # 124M parameters on a CPU: not minutes


def test_memory_refusal_proposes_activation_checkpointing_then_smaller_batches():
    from olm.train.preflight import model_facts, training_memory

    graph = _tiny()
    config = TrainConfig(source="x", seq_len=64, batch_size=16, steps=2, device="cpu")
    with torch.device("meta"):
        facts = model_facts(build(graph, device="meta"))
    facts.params = stats(graph).total_params
    cpu = torch.device("cpu")
    full = training_memory(facts, config, 256, cpu)
    import dataclasses

    ckpt = training_memory(facts, dataclasses.replace(config, checkpoint_activations=True),
                           256, cpu)
    assert ckpt < full
    between = preflight(graph, config, lambda _d: (full + ckpt) // 2, timing=False)
    assert between[0].severity == "error" and "--checkpoint-activations" in between[0].fix
    tight = preflight(graph, config, lambda _d: ckpt - 1, timing=False)
    assert tight[0].severity == "error" and "--batch-size" in tight[0].fix
    assert "--grad-accum" in tight[0].fix


def test_checkpoint_activations_gives_the_same_gradients():
    from olm.train.recompute import checkpoint_activations

    torch.manual_seed(0)
    plain = build(_tiny())
    recomputed = build(_tiny())
    recomputed.load_state_dict(plain.state_dict())
    assert checkpoint_activations(recomputed) == 2
    assert list(plain.state_dict()) == list(recomputed.state_dict())  # names unchanged
    ids = torch.randint(0, 256, (2, 16))
    for m in (plain, recomputed):
        torch.nn.functional.cross_entropy(m(ids).flatten(0, 1), ids.flatten()).backward()
    for (name, a), b in zip(plain.named_parameters(), recomputed.parameters()):
        torch.testing.assert_close(a.grad, b.grad, msg=name)


@pytest.mark.parametrize("name", ["GPT2", "Llama3_2_1B", "Mixtral_8x7B", "Gemma2_2B"])
def test_trial_keeps_the_recipe_and_matches_vocab_and_context(name, tmp_path):
    original = from_source(name)
    config = TrainConfig(source=name, steps=50, seq_len=64, batch_size=4, device="cpu",
                         budget="20s")
    new, note = trial_config(original, config, folder=str(tmp_path), probe=False)
    trial = load(tmp_path / TRIAL_DOCUMENT)
    assert load(tmp_path / ORIGINAL_DOCUMENT) == original
    assert new.source == str(tmp_path / TRIAL_DOCUMENT) and "parameters" in note
    assert compare(original, trial).same_recipe  # every component, type and option kept
    env0, env = original.variable_values()[0], trial.variable_values()[0]
    assert env["vocab_size"] == 256 and env.get("max_seq_len", 64) == 64
    assert env["embed_dim"] < env0["embed_dim"] and env["num_layers"] <= env0["num_layers"]
    assert stats(trial).total_params < stats(original).total_params
    # sized by the estimate (same measured throughput in this process): it fits the budget,
    # or it is the smallest width the rules allow
    from olm.train.trial import BUDGET_SHARE, WIDTHS

    est = estimate_step(trial, config, torch.device("cpu"), 256, probe=False)
    assert est.total_seconds <= 20 * BUDGET_SHARE or env["embed_dim"] <= WIDTHS[0]
    if "num_kv_heads" in env0:  # the GQA group ratio is kept
        assert env["num_heads"] // env["num_kv_heads"] == \
            env0["num_heads"] // env0["num_kv_heads"]
    assert env["embed_dim"] % env["num_heads"] == 0
    ratio0 = env0["hidden_dim"] / env0["embed_dim"]
    assert env["hidden_dim"] / env["embed_dim"] == pytest.approx(ratio0, rel=0.15)
    build(trial)  # and it builds


def test_trial_sizes_rules_by_hand():
    env = {"embed_dim": 4096, "num_layers": 32, "num_heads": 32, "num_kv_heads": 8,
           "hidden_dim": 14336, "max_seq_len": 32768, "vocab_size": 32000}
    sizes = trial_sizes(env, 256, vocab=300, seq_len=128)
    assert sizes == {"vocab_size": 300, "max_seq_len": 128, "embed_dim": 256,
                     "num_heads": 4, "num_kv_heads": 1, "num_layers": 2, "hidden_dim": 896}


@pytest.mark.slow
def test_cli_trial_run_records_both_documents(tmp_path):
    from olm.cli.main import main
    from olm.train.events import StartEvent, read_events

    out = tmp_path / "run"
    assert main(["train", "GPT2", "--trial", "--budget", "10s", "--steps", "20",
                 "--batch-size", "2", "--seq-len", "32", "--eval-every", "0",
                 "--eval-batches", "1", "--max-corpus-bytes", "200000", "--device", "cpu",
                 "--out", str(out), "--events", str(tmp_path / "e.jsonl"),
                 "--no-progress"]) == 0
    start = next(e for e in read_events(tmp_path / "e.jsonl") if isinstance(e, StartEvent))
    assert start.config["source"].endswith(TRIAL_DOCUMENT)
    assert start.params == stats(load(out / TRIAL_DOCUMENT)).total_params < 124_000_000 // 4
    assert load(out / ORIGINAL_DOCUMENT) == from_source("GPT2")
    assert compare(from_source("GPT2"), load(out / TRIAL_DOCUMENT)).same_recipe
