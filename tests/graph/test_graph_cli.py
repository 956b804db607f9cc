"""`olm info` and `olm export` through the real command-line entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from waiting import CHILD_S

from olm.cli.main import main
from olm.graph import from_module, from_python, from_source, load, save, stats
from olm.models import PRESETS


def test_info_json_of_a_preset(capsys):
    assert main(["info", "Llama3_2_1B", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["stats"]["total_params"] == PRESETS["Llama3_2_1B"].params
    assert info["variables"]["embed_dim"] == 2048
    assert info["diagnostics"] == []
    assert sum(p["share"] for p in info["parts"]) == pytest.approx(1.0)


def test_info_text_of_a_project_with_errors(tmp_path, capsys, tiny):
    graph = from_module(tiny.model("mixtral"))
    graph.variables["num_kv_heads"] = 3
    path = save(graph, tmp_path / "m.olm.json")
    assert main(["info", str(path), "--seq-len", "64"]) == 1
    out = capsys.readouterr().out
    assert "active per token" in out and "error:" in out and "num_kv_heads" in out


def test_export_python_and_project_round_trip(tmp_path, capsys):
    py = tmp_path / "llama.py"
    assert main(["export", "Llama3_1_8B", "--to", "python", "-o", str(py)]) == 0
    assert from_python(py.read_text()) == from_source("Llama3_1_8B")
    project = tmp_path / "llama.olm.json"
    assert main(["export", str(py), "--to", "project", "-o", str(project)]) == 0
    assert load(project) == from_source("Llama3_1_8B")
    assert main(["export", str(py), "--to", "python", "-o", str(py)]) == 2
    assert "--force" in capsys.readouterr().err


def test_exported_python_is_ruff_clean_and_runs_standalone(tmp_path, tiny):
    graph = from_module(tiny.model("gpt2"))
    py = tmp_path / "tiny_gpt2.py"
    from olm.graph import to_python

    py.write_text(to_python(graph))
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP", str(py)],
        capture_output=True, text=True, timeout=CHILD_S)
    assert lint.returncode == 0, lint.stdout
    run = subprocess.run([sys.executable, str(py)], capture_output=True, text=True, timeout=CHILD_S)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{graph.name}: {stats(graph).total_params:,} parameters"


def test_unknown_source_and_hf_hook(tmp_path, capsys, monkeypatch, tiny):
    assert main(["info", "Llama3_1_8b"]) == 2
    assert "did you mean Llama3_1_8B" in capsys.readouterr().err
    import olm.cli.export as export

    calls = []

    def fake_saver():
        return lambda model, path, tokenizer=None: calls.append((type(model).__name__, path, tokenizer))

    monkeypatch.setattr(export, "_hf_saver", fake_saver)
    tiny.model("llama3").save(tmp_path / "ckpt")
    assert main(["export", str(tmp_path / "ckpt"), "--to", "hf", "-o", str(tmp_path / "hf")]) == 0
    assert calls == [("Block", tmp_path / "hf", None)]


def test_hf_export_says_when_interop_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "olm.interop.hf", None)
    assert main(["export", "GPT2", "--to", "hf", "-o", str(tmp_path / "hf")]) == 2
    assert "olm.interop.hf" in capsys.readouterr().err


def test_export_hf_from_a_checkpoint(tmp_path, tiny):
    tiny.model("llama3").save(tmp_path / "ckpt")
    assert main(["export", str(tmp_path / "ckpt"), "--to", "hf", "-o", str(tmp_path / "hf")]) == 0
    config = json.loads((tmp_path / "hf" / "config.json").read_text())
    assert config["num_key_value_heads"] == 2
