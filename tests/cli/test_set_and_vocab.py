"""``--set NAME=VALUE`` on info/export/train for every source kind, and the vocabulary rule
(smaller than the tokenizer's: error; larger: warning fixed by ``--fit-vocab``)."""

from __future__ import annotations

import json

import pytest

from olm.cli.main import main
from olm.graph import build, from_source, save, to_python
from olm.graph.overrides import apply_overrides, parse_set
from olm.train import TrainConfig
from olm.train.preflight import preflight

TINY = ["--set", "num_layers=1", "--set", "embed_dim=32", "--set", "num_heads=2",
        "--set", "hidden_dim=64", "--set", "max_seq_len=64", "--set", "vocab_size=256"]


def _sources(tmp_path):
    """The same GPT-2 as a preset, a project, a .py file and a checkpoint-style folder."""
    graph = from_source("GPT2")
    project = save(graph, tmp_path / "g.olm.json")
    py = tmp_path / "g.py"
    py.write_text(to_python(graph), encoding="utf-8")
    folder = tmp_path / "ck"
    folder.mkdir()
    save(graph, folder / "model.olm.json")
    return ["GPT2", str(project), str(py), str(folder)]


def test_parse_set_reads_literals_and_refuses_malformed():
    assert parse_set("embed_dim=256") == ("embed_dim", 256)
    assert parse_set("eps=1e-5") == ("eps", 1e-5)
    assert parse_set("flag=true") == ("flag", True)
    for bad in ("embed_dim", "=3", "x="):
        with pytest.raises(ValueError, match="NAME=VALUE"):
            parse_set(bad)


def test_info_set_on_every_source_kind(tmp_path, capsys):
    for source in _sources(tmp_path):
        assert main(["info", source, "--json", *TINY]) == 0, source
        info = json.loads(capsys.readouterr().out)
        assert info["variables"]["embed_dim"] == 32 and info["variables"]["num_layers"] == 1
        # independent count: build the overridden document and count its tensors
        expected = sum(p.numel() for p in build(apply_overrides(
            from_source(source), [a for a in TINY if a != "--set"])).parameters())
        assert info["stats"]["total_params"] == expected < 200_000


def test_set_synonym_names_the_variable_and_unknown_names_are_refused(capsys):
    graph = apply_overrides(from_source("GPT2"), ["d_model=64"])
    assert graph.variables["embed_dim"] == 64
    assert main(["info", "GPT2", "--set", "num_kv_heads=2"]) == 2
    err = capsys.readouterr().err
    assert "num_kv_heads" in err and "embed_dim" in err and "Traceback" not in err


def test_set_out_of_range_gets_the_studio_diagnostic(capsys):
    # the Studio's SetVariable refuses a negative width; so does --set, in one line
    assert main(["info", "GPT2", "--set", "embed_dim=-5"]) == 2
    assert "embed_dim" in capsys.readouterr().err
    # a valid value that breaks a rule is a diagnostic (exit 1), as in the Studio
    assert main(["info", "GPT2", "--set", "num_heads=5"]) == 1
    assert "num_heads" in capsys.readouterr().out


def test_export_set_for_every_source_kind(tmp_path):
    for i, source in enumerate(_sources(tmp_path)):
        out = tmp_path / f"out{i}.olm.json"
        assert main(["export", source, "--to", "project", "-o", str(out), *TINY]) == 0
        assert from_source(str(out)).variables["embed_dim"] == 32
        py = tmp_path / f"out{i}.py"
        assert main(["export", source, "--to", "python", "-o", str(py), *TINY]) == 0
        assert from_source(str(py)).variables["num_layers"] == 1


@pytest.mark.slow
def test_train_set_for_every_source_kind(tmp_path):
    from olm.train.events import StartEvent, read_events

    for i, source in enumerate(_sources(tmp_path)):
        events = tmp_path / f"e{i}.jsonl"
        assert main(["train", source, *TINY, "--steps", "2", "--batch-size", "2",
                     "--seq-len", "16", "--eval-every", "0", "--eval-batches", "1",
                     "--max-corpus-bytes", "200000", "--events", str(events),
                     "--no-progress"]) == 0, source
        start = next(e for e in read_events(events) if isinstance(e, StartEvent))
        assert start.params < 200_000  # GPT-2's 124M would not be
        assert start.config["sets"] == [a for a in TINY if a != "--set"]


def _graph(vocab: int):
    return apply_overrides(from_source("GPT2"), {"num_layers": 1, "embed_dim": 32,
                                                 "num_heads": 2, "hidden_dim": 64,
                                                 "max_seq_len": 64, "vocab_size": vocab})


def _config(**kw):
    return TrainConfig(source="GPT2", seq_len=32, batch_size=2, steps=5, **kw)


def test_vocab_smaller_than_tokenizer_is_an_error():
    problems = preflight(_graph(100), _config(), timing=False)
    assert problems[0].severity == "error" and "256" in problems[0].message
    assert "--fit-vocab" in problems[0].fix
    # --fit-vocab fixes it
    assert not [p for p in preflight(_graph(100), _config(fit_vocab=True), timing=False)
                if "vocab" in str(p)]


def test_vocab_larger_than_tokenizer_is_a_warning_fixed_by_fit_vocab():
    problems = preflight(_graph(1000), _config(), timing=False)
    vocab = [p for p in problems if "vocabulary" in p.message]
    assert len(vocab) == 1 and vocab[0].severity == "warning" and "--fit-vocab" in vocab[0].fix
    assert not [p for p in preflight(_graph(1000), _config(fit_vocab=True), timing=False)
                if "vocabulary" in p.message]


def test_cli_train_refuses_small_vocab_and_fits_with_flag(tmp_path, capsys):
    args = ["train", "GPT2", *[a if a != "vocab_size=256" else "vocab_size=100" for a in TINY],
            "--steps", "1", "--batch-size", "1", "--seq-len", "16", "--eval-every", "0",
            "--eval-batches", "1", "--max-corpus-bytes", "100000", "--no-progress"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--fit-vocab" in err and "Traceback" not in err
    events = tmp_path / "e.jsonl"
    assert main([*args, "--fit-vocab", "--events", str(events)]) == 0
    from olm.train.events import StartEvent, read_events

    start = next(e for e in read_events(events) if isinstance(e, StartEvent))
    assert start.vocab_size == 256
