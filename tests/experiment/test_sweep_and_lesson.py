"""``olm sweep`` and ``olm compare --lesson`` with tiny budgets."""

from __future__ import annotations

import json

import pytest

from olm.cli.main import main
from olm.experiment.lesson import lesson_models
from olm.graph.lessons import MODERNISE_GPT2
from olm.graph.stats import stats

FAST = ["--seq-len", "16", "--batch-size", "2", "--eval-batches", "1", "--threads", "1",
        "--lr", "3e-3"]


def test_sweep_fits_points_of_increasing_compute(tmp_path, capsys):
    code = main(["sweep", "GPT2", "--sizes", "3", "--budget", "10s", "--out",
                 str(tmp_path / "sw"), "--json", str(tmp_path / "s.json"), *FAST])
    assert code == 0
    data = json.loads((tmp_path / "s.json").read_text())
    points = data["points"]
    assert len(points) == 3
    flops = [p["flops"] for p in points]
    params = [p["params"] for p in points]
    assert flops == sorted(flops) and params == sorted(params) and len(set(params)) == 3
    ratios = [p["tokens"] / p["params"] for p in points]  # one tokens-per-parameter ratio
    assert max(ratios) / min(ratios) < 1.25
    assert set(data["fit"]) == {"E", "A", "alpha"}
    assert [p["flops"] for p in data["predicted"]] == pytest.approx([10 * flops[-1],
                                                                     100 * flops[-1]])
    assert "fit: L(C)" in capsys.readouterr().out


def test_lesson_models_apply_the_steps_cumulatively():
    models = lesson_models()
    assert [n for n, _ in models][0] == "GPT2"
    assert len(models) == len(MODERNISE_GPT2.steps) + 1
    for k, (_, graph) in enumerate(models):
        assert MODERNISE_GPT2.progress(graph) == k
    kv = [stats(g).kv_cache_bytes_per_token for _, g in models]
    assert kv[4] < kv[3]  # the GQA step's model has the smaller cache


@pytest.mark.slow
def test_compare_lesson_prints_the_table(tmp_path, capsys):
    code = main(["compare", "--lesson", "--seeds", "1", "--budget", "20s", "--out",
                 str(tmp_path / "l"), "--json", str(tmp_path / "l.json"), *FAST])
    assert code == 0
    data = json.loads((tmp_path / "l.json").read_text())
    names = [m["name"] for m in data["models"]]
    assert names[0] == "GPT2" and len(names) == len(MODERNISE_GPT2.steps) + 1
    # each swap is measured against the model before it
    assert [(d["a"], d["b"]) for d in data["differences"]] == list(zip(names, names[1:]))
    out = capsys.readouterr().out
    assert "change vs previous" in out
    assert all(n[:28] in out for n in names)
