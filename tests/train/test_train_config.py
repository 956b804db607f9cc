"""One TrainConfig: the flags are derived from it, ``--config FILE`` loads it, flags win."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
from pathlib import Path

import pytest
from tiny_models import write_tiny_source

from olm.cli.main import build_parser, main
from olm.core.errors import ConfigError
from olm.train import TrainConfig
from olm.train.events import StartEvent, read_events

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def source(tmp_path) -> str:
    return write_tiny_source(tmp_path / "tiny.py")


def _train_parser():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["train"]


def test_every_field_has_exactly_one_flag_with_help():
    parser = _train_parser()
    by_dest = {a.dest: a for a in parser._actions}
    for f in dataclasses.fields(TrainConfig):
        action = by_dest[f.name]
        assert action.help and action.help == f.metadata["help"], f.name
    # the CLI never spells the field list out again: no field name appears in its source
    cli = (REPO / "olm" / "cli" / "train.py").read_text()
    spelled = [f.name for f in dataclasses.fields(TrainConfig)
               if len(f.name) > 6 and re.search(rf"\b{f.name}\b", cli)]
    assert spelled == [], spelled


def test_config_file_is_validated_and_flags_override_it(source, corpus_file, tmp_path, capsys):
    out = tmp_path / "run"
    config = tmp_path / "run.json"
    config.write_text(json.dumps({
        "format": 1, "source": source, "data": str(corpus_file), "steps": 4, "batch_size": 2,
        "seq_len": 16, "eval_every": 2, "eval_batches": 1, "threads": 1, "lr": 2e-3,
        "out": str(out)}))
    assert main(["train", "--config", str(config), "--steps", "3",
                 "--events", str(out / "events.jsonl")]) == 0
    start = read_events(out / "events.jsonl")[0]
    assert isinstance(start, StartEvent)
    assert start.config["steps"] == 3 and start.config["lr"] == 2e-3  # flag wins, file kept
    assert start.config["batch_size"] == 2 and start.config["data"] == str(corpus_file)

    config.write_text(json.dumps({"source": source, "batchsize": 2, "stepz": 1}))
    capsys.readouterr()
    assert main(["train", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "unknown settings 'batchsize', 'stepz'" in err and "batch_size" in err
    assert err.count("\n") == 1
    config.write_text("{not json")
    assert main(["train", "--config", str(config)]) == 2
    assert "is not valid JSON" in capsys.readouterr().err
    config.write_text(json.dumps({"source": source, "steps": "many"}))
    assert main(["train", "--config", str(config)]) == 2
    assert "steps must be an integer" in capsys.readouterr().err
    assert main(["train", "--config", str(tmp_path / "nope.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_write_file_round_trips(tmp_path):
    config = TrainConfig(source="GPT2", steps=7, betas=(0.8, 0.9), grad_clip=None, out="x")
    config.write_file(tmp_path / "c.json")
    assert TrainConfig.from_file(tmp_path / "c.json") == config
    assert TrainConfig.from_file(tmp_path / "c.json", steps=9).steps == 9


def test_numbers_must_be_finite():
    # the library's rule: every float setting is finite (the Studio form used to check lr
    # only, and also capped it below 10; that cap is gone: lr 20 is a valid setting)
    for name in ("lr", "weight_decay", "grad_clip", "min_lr"):
        with pytest.raises(ConfigError, match=f"{name} must be a finite number"):
            TrainConfig(source="x", **{name: math.inf})
    with pytest.raises(ConfigError, match="lr must be a finite number"):
        TrainConfig(source="x", lr=math.nan)
    assert TrainConfig(source="x", lr=20.0).lr == 20.0
    with pytest.raises(ConfigError, match="betas"):
        TrainConfig(source="x", betas=(0.9,))
    with pytest.raises(ConfigError, match="use_amp must be true or false"):
        TrainConfig(source="x", use_amp="yes")


def test_flag_forms(source, corpus_file, tmp_path):
    out = tmp_path / "run"
    assert main(["train", source, "--data", str(corpus_file), "--steps", "1", "--seq-len", "16",
                 "--batch-size", "2", "--eval-batches", "1", "--threads", "1", "--no-amp",
                 "--grad-clip", "off", "--betas", "0.8", "0.99", "--min-lr", "none",
                 "--out", str(out), "--events", str(out / "e.jsonl")]) == 0
    config = read_events(out / "e.jsonl")[0].config
    assert config["use_amp"] is False and config["grad_clip"] is None
    assert config["betas"] == [0.8, 0.99]
    assert config["min_lr"] == pytest.approx(config["lr"] / 10)  # none: the default rule
