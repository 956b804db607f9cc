"""``olm train`` / ``olm generate`` end to end, stop signals, and one-line errors."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest
from stopped_run import stopped_child
from tiny_models import write_tiny_source

from olm.cli.main import main
from olm.train.events import StepEvent, read_events


@pytest.fixture
def source(tmp_path) -> str:
    return write_tiny_source(tmp_path / "tiny.py")


def _train_args(source, corpus, out, *extra):
    return ["train", source, "--data", str(corpus), "--steps", "4", "--batch-size", "2",
            "--seq-len", "16", "--eval-every", "2", "--eval-batches", "1", "--threads", "1",
            "--out", str(out), "--events", str(out / "events.jsonl"), *extra]


def test_train_then_generate(source, corpus_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(_train_args(source, corpus_file, out)) == 0
    events = read_events(out / "events.jsonl")
    assert events[0].KIND == "start" and events[-1].status == "finished"
    ckpt = out / "checkpoints" / "step_0000004"
    assert (ckpt / "model.safetensors").is_file()
    import olm.graph

    # the checkpoint carries the graph document, equal to the one the source describes
    saved = olm.graph.load(ckpt / "model.olm.json")
    assert olm.graph.to_python(saved) == olm.graph.to_python(olm.graph.from_source(source))
    capsys.readouterr()
    assert main(["generate", str(out), "--prompt", "def ", "--max-new-tokens", "12",
                 "--seed", "3", "--device", "cpu"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("def ")
    assert main(["generate", str(out), "--prompt", "def ", "--max-new-tokens", "12",
                 "--seed", "3", "--device", "cpu", "--no-cache"]) == 0
    assert capsys.readouterr().out == first  # the cache changes speed, not the text


def test_resume_continues_the_step_count(source, corpus_file, tmp_path):
    out = tmp_path / "run"
    assert main(_train_args(source, corpus_file, out)) == 0
    assert main(["train", "--resume", str(out), "--steps", "6", "--batch-size", "2",
                 "--seq-len", "16", "--data", str(corpus_file), "--threads", "1",
                 "--out", str(out), "--events", str(out / "events.jsonl")]) == 0
    events = read_events(out / "events.jsonl")
    starts = [e for e in events if e.KIND == "start"]
    assert [s.resumed_from_step for s in starts] == [0, 4]
    assert [e.step for e in events if e.KIND == "step"] == [1, 2, 3, 4, 5, 6]


def test_errors_are_one_line(source, corpus_file, tmp_path, capsys):
    assert main(["train", source, "--data", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("olm train: error: data") and err.count("\n") == 1
    assert main(["train", source, "--data", str(corpus_file), "--tokenizer", "bpe:2000",
                 "--steps", "1"]) == 2
    assert "model's vocabulary is 256" in capsys.readouterr().err
    out = tmp_path / "run"
    assert main(_train_args(source, corpus_file, out)) == 0
    ckpt = out / "checkpoints" / "step_0000004" / "model.safetensors"
    ckpt.write_bytes(b"\x00" * 20)
    capsys.readouterr()
    assert main(["generate", str(out), "--prompt", "x", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "model.safetensors is corrupt" in err and err.count("\n") == 1
    assert main(["generate", str(tmp_path)]) == 2
    assert "not a checkpoint or run folder" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_saves_and_stops(source, corpus_file, tmp_path, sig):
    out = tmp_path / "run"
    events_file = out / "events.jsonl"
    args = _train_args(source, corpus_file, out)
    args[args.index("--steps") + 1] = "100000"
    end = stopped_child(args, events_file, sig)
    assert end.reason == sig.name
    assert Path(end.checkpoint, "model.safetensors").is_file()
    assert f"step_{end.step:07d}" in end.checkpoint


def test_events_to_stdout(source, corpus_file, tmp_path, capsys):
    args = _train_args(source, corpus_file, tmp_path)
    args[args.index("--events") + 1] = "-"
    assert main(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["event"] == "start" and lines[-1]["event"] == "end"
    assert all(line["version"] == 1 for line in lines)


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from olm.cli import train as cli_train

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert cli_train._progress(True, 10) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = cli_train._progress(True, 10)
    try:
        cli_train._show(bar, StepEvent(step=3, loss=2.5, tokens_per_s=100.0))
        assert bar.tasks[0].completed == 3
    finally:
        bar.stop()
    assert cli_train._progress(False, 10) is None


def test_generate_past_a_learned_context_keeps_going(tmp_path, capsys):
    from olm.data import ByteTokenizer
    from olm.models import GPT2Model
    from olm.train import save_checkpoint

    model = GPT2Model(vocab_size=256, embed_dim=32, num_layers=1, num_heads=2, max_seq_len=8)
    save_checkpoint(tmp_path / "ckpt", model, tokenizer=ByteTokenizer())
    assert (tmp_path / "ckpt" / "model.olm.json").is_file()
    args = ["generate", str(tmp_path / "ckpt"), "--prompt", "abc", "--device", "cpu"]
    assert main([*args, "--max-new-tokens", "5", "--temperature", "0"]) == 0
    capsys.readouterr()
    # 3 + 20 tokens exceed the 8 learned positions: the model reads a cropped window.
    assert main([*args, "--max-new-tokens", "20", "--temperature", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.strip()
