"""``olm compare`` end to end on tiny models: equal compute, seeds, run folders, JSON.

The sources are tiny projects (the trial sizing leaves models below its smallest rung
as they are) and the budget a few seconds, so each run is a handful of steps.
"""

from __future__ import annotations

import json

import pytest

from olm.cli.main import main
from olm.experiment.stats import difference, mean_interval
from olm.graph import from_source, save
from olm.graph.overrides import apply_overrides
from olm.train.events import EndEvent, StepEvent, read_events

FAST = ["--seq-len", "16", "--batch-size", "2", "--eval-batches", "1", "--threads", "1",
        "--lr", "3e-3"]


def _projects(tmp_path):
    gpt2 = apply_overrides(from_source("GPT2"), {
        "embed_dim": 32, "num_layers": 1, "num_heads": 2, "hidden_dim": 64, "max_seq_len": 64,
        "vocab_size": 256})
    llama = apply_overrides(from_source("Llama3_2_1B"), {
        "embed_dim": 32, "num_layers": 1, "num_heads": 4, "num_kv_heads": 2, "hidden_dim": 64,
        "max_seq_len": 64, "vocab_size": 256})
    return str(save(gpt2, tmp_path / "gpt.olm.json")), str(save(llama, tmp_path / "llama.olm.json"))


def _events(folder):
    return list(read_events(folder / "events.jsonl"))


@pytest.mark.slow
def test_compare_matches_compute_and_reports_intervals(tmp_path, capsys):
    a, b = _projects(tmp_path)
    out = tmp_path / "exp"
    code = main(["compare", a, b, "--seeds", "2", "--budget", "10s", "--out", str(out),
                 "--json", str(tmp_path / "r.json"), *FAST])
    assert code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert set(data) == {"models", "differences", "verdict"}
    assert [m["name"] for m in data["models"]] == ["gpt", "llama"]
    for m in data["models"]:
        assert set(m) == {"name", "params", "flops", "tokens", "val_losses", "mean", "ci95"}
        assert len(m["val_losses"]) == 2
        iv = mean_interval(m["val_losses"])
        assert m["mean"] == pytest.approx(iv.mean) and m["ci95"] == pytest.approx(iv.half)
    flops = [m["flops"] for m in data["models"]]
    assert max(flops) / min(flops) - 1 < 0.05  # equal compute, as actually trained
    ga, gb = data["models"]
    diff = difference(ga["val_losses"], gb["val_losses"])  # paired: same seeds
    (d,) = data["differences"]
    assert (d["a"], d["b"]) == ("gpt", "llama")
    assert d["delta"] == pytest.approx(diff.delta) and d["ci95"] == pytest.approx(diff.half)
    assert "llama" in data["verdict"] and "gpt" in data["verdict"]
    # every run has its own folder, and the tokens reported are the ones it trained
    runs = sorted(out.glob("*/seed-*"))
    assert len(runs) == 4
    for run in runs:
        events = _events(run)
        last_step = [e for e in events if isinstance(e, StepEvent)][-1]
        assert isinstance(events[-1], EndEvent) and events[-1].status == "finished"
        model = ga if "gpt" in run.parent.name else gb
        assert last_step.tokens == model["tokens"]
        assert (run / "trial.olm.json").is_file()
    assert (out / "experiment.json").is_file() and (out / "report.md").is_file()
    printed = capsys.readouterr().out
    assert "val loss (95% CI)" in printed and "llama" in printed


def test_one_seed_says_too_few_to_conclude_and_equal_tokens(tmp_path, capsys):
    a, b = _projects(tmp_path)
    code = main(["compare", a, b, "--seeds", "1", "--equal", "tokens", "--budget", "6s",
                 "--out", str(tmp_path / "exp"), "--json", str(tmp_path / "r.json"), *FAST])
    assert code == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["models"][0]["tokens"] == data["models"][1]["tokens"]
    assert data["models"][0]["ci95"] is None and data["differences"][0]["ci95"] is None
    assert "N is too small to conclude" in data["verdict"]


@pytest.mark.parametrize("argv,message", [
    (["compare", "GPT2"], "at least two SOURCEs"),
    (["compare", "GPT2", "GPT2", "--seeds", "0"], "--seeds"),
    (["compare", "GPT2", "--lesson"], "give no SOURCE"),
    (["compare", "GPT2", "GPT2", "--budget", "soon"], "budget"),
    (["sweep", "GPT2", "--sizes", "2"], "--sizes must be at least 3"),
    (["sweep", "GPT2", "GPT2", "GPT2"], "one or two SOURCEs"),
])
def test_bad_requests_are_one_line_errors(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def _count(graph) -> int:
    """Parameters of the built module, counted by torch (shared tensors once)."""
    from olm.graph import build

    return sum(p.numel() for p in build(graph).parameters())


def test_equal_params_gives_each_model_the_rung_nearest_the_first_in_parameters(tmp_path):
    # per width the Llama (SwiGLU 8x, two layers) is far larger than the GPT-2 (one layer),
    # so at one common width their sizes differ several-fold; GPT-2's ladder reaches 256
    from olm.experiment.plan import at_width
    from olm.graph import load
    from olm.train.trial import WIDTHS

    llama = apply_overrides(from_source("Llama3_2_1B"), {
        "embed_dim": 128, "num_layers": 2, "num_heads": 4, "num_kv_heads": 2,
        "hidden_dim": 1024, "max_seq_len": 64, "vocab_size": 256})
    gpt2 = apply_overrides(from_source("GPT2"), {
        "embed_dim": 256, "num_layers": 1, "num_heads": 4, "hidden_dim": 256,
        "max_seq_len": 64, "vocab_size": 256})
    a, b = save(llama, tmp_path / "llama.olm.json"), save(gpt2, tmp_path / "gpt.olm.json")
    out = tmp_path / "exp"
    assert main(["compare", str(a), str(b), "--seeds", "1", "--equal", "params", "--budget",
                 "4s", "--out", str(out), "--json", str(tmp_path / "r.json"), *FAST]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert [m["name"] for m in data["models"]] == ["llama", "gpt"]
    trained = {m: load(next(out.glob(f"*-{m}/seed-*")) / "trial.olm.json") for m in ("llama", "gpt")}
    counts = {m: _count(g) for m, g in trained.items()}
    # the figures reported are those of the copies that really trained
    assert {m["name"]: m["params"] for m in data["models"]} == counts
    # GPT-2 trained the rung of its ladder whose parameter count is nearest the Llama's
    rungs = [_count(at_width(gpt2, w, 256, 16)) for w in WIDTHS if w <= 256]
    assert counts["gpt"] == min(rungs, key=lambda n: abs(n - counts["llama"]))
    same_width = _count(at_width(gpt2, trained["llama"].variable_values()[0]["embed_dim"],
                                 256, 16))
    assert abs(counts["gpt"] - counts["llama"]) < abs(same_width - counts["llama"])
    # equal parameters train equal tokens
    assert data["models"][0]["tokens"] == data["models"][1]["tokens"] > 0
