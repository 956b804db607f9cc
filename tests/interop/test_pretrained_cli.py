"""The README's "Start from a pretrained model" commands, end to end on a tiny chat model."""

from __future__ import annotations

import json

import pytest

import olm.graph
from olm.cli.main import main
from olm.train.events import read_events


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello there, how are you today? the quick brown fox. " * 300)
    return path


def _eval(path, corpus, capsys):
    capsys.readouterr()
    assert main(["eval", str(path), "--data", str(corpus), "--seq-len", "32", "--batches", "2",
                 "--batch-size", "2", "--device", "cpu", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["loss"]


def test_import_edit_eval_finetune_export(tmp_path, corpus, capsys, monkeypatch):
    from chat_tiny import make_chat_folder

    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "cache"))
    hf = tmp_path / "llama_dir"
    make_chat_folder(hf)
    before = _eval(hf, corpus, capsys)
    project = tmp_path / "llama.olm.json"
    assert main(["import-hf", str(hf), "-o", str(project)]) == 0
    assert _eval(project, corpus, capsys) == pytest.approx(before, rel=1e-6)

    # Edit the project: 2 -> 1 KV heads. Its node ids differ from a fresh import of the
    # folder, so --init-from carries the weights by place in the model.
    graph = olm.graph.load(project)
    attn = next(n for n in graph.walk() if graph.node(n).type == "GroupedQueryAttention")
    graph.node(attn).params["num_kv_heads"] = 1
    olm.graph.save(graph, project)
    run = tmp_path / "runs" / "ft"
    assert main(["train", str(project), "--init-from", str(hf), "--data", str(corpus),
                 "--steps", "2", "--batch-size", "2", "--seq-len", "32", "--eval-every", "0",
                 "--eval-batches", "2", "--threads", "1", "--out", str(run),
                 "--events", str(run / "events.jsonl")]) == 0
    first = next(e for e in read_events(run / "events.jsonl") if e.KIND == "step")
    assert first.loss < before + 1.0  # starts near the pretrained level (pooled K/V)
    out = tmp_path / "llama_ft"
    assert main(["export", str(run), "--to", "hf", "-o", str(out)]) == 0
    assert json.loads((out / "config.json").read_text())["num_key_value_heads"] == 1
    for name in ("tokenizer_config.json", "chat_template.jinja", "generation_config.json"):
        assert (out / name).read_text() == (hf / name).read_text()
    capsys.readouterr()
    assert main(["generate", str(out), "--chat", "--prompt", "hello there", "--temperature",
                 "0", "--max-new-tokens", "10", "--device", "cpu"]) == 0
