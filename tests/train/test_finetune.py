"""Fine-tuning (issue 14.4): ``olm train --init-from``, fine-tune defaults, ``--freeze``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tiny_models import write_tiny_source

import olm.graph
from olm.cli.main import build_parser, main
from olm.core.errors import ConfigError
from olm.train.events import read_events

sys.path.insert(0, str(Path(__file__).parents[1] / "interop"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ft") / "corpus.txt"
    path.write_text("the cat sat on the mat. the dog sat on the log. " * 400)
    return path


def _args(corpus, out, *extra, steps=4):
    return ["train", *extra, "--data", str(corpus), "--steps", str(steps), "--batch-size", "4",
            "--seq-len", "32", "--eval-every", "0", "--eval-batches", "1", "--threads", "1",
            "--out", str(out), "--events", str(out / "events.jsonl")]


def _losses(run):
    return [e.loss for e in read_events(run / "events.jsonl") if e.KIND == "step"]


@pytest.fixture(scope="module")
def pretrained(corpus, tmp_path_factory):
    """A tiny model trained until its loss is far below a fresh model's."""
    root = tmp_path_factory.mktemp("pre")
    source = write_tiny_source(root / "tiny.py")
    run = root / "run"
    assert main(_args(corpus, run, source, "--lr", "1e-2", steps=60)) == 0
    return source, run


def test_loss_curve_starts_at_the_pretrained_level(pretrained, corpus, tmp_path):
    source, run = pretrained
    trained = _losses(run)
    assert main(_args(corpus, tmp_path / "ft", "--init-from", str(run))) == 0
    tuned = _losses(tmp_path / "ft")
    assert main(_args(corpus, tmp_path / "fresh", source)) == 0
    fresh = _losses(tmp_path / "fresh")
    assert trained[-1] < 0.5 * trained[0]
    assert abs(tuned[0] - trained[-1]) < 0.25 * (trained[0] - trained[-1])
    assert fresh[0] > trained[-1] + 0.5 * (trained[0] - trained[-1])


def test_fine_tune_defaults_lower_lr_and_short_warmup():
    from olm.cli.train import resolve_config

    def _config(args):
        return resolve_config(args)[0]

    parser = build_parser()
    ft = _config(parser.parse_args(["train", "--init-from", "x", "--steps", "1000"]))
    assert (ft.lr, ft.warmup_steps) == (3e-5, 20)
    fresh = _config(parser.parse_args(["train", "GPT2", "--steps", "1000"]))
    assert (fresh.lr, fresh.warmup_steps) == (3e-4, 100)
    mine = _config(parser.parse_args(["train", "--init-from", "x", "--lr", "1e-3",
                                      "--warmup-steps", "7"]))
    assert (mine.lr, mine.warmup_steps) == (1e-3, 7)


def test_freeze_keeps_the_frozen_part_unchanged(pretrained, corpus, tmp_path):
    _, run = pretrained
    out = tmp_path / "ft"
    assert main(_args(corpus, out, "--init-from", str(run), "--freeze", "blocks.0",
                      "--lr", "1e-2")) == 0
    before = load_file(str(run / "checkpoints" / "step_0000060" / "model.safetensors"))
    after = load_file(str(out / "checkpoints" / "step_0000004" / "model.safetensors"))
    frozen = [k for k in before if k.startswith("blocks.0.")]
    assert frozen and all(torch.equal(before[k], after[k]) for k in frozen)
    assert not all(torch.equal(before[k], after[k]) for k in before)


def test_freeze_by_node_id_and_unknown_names(pretrained):
    from olm.store.checkpoint import load
    from olm.train.finetune import freeze

    ck = load(pretrained[1])
    emb = next(n for n in ck.graph.walk() if ck.graph.node(n).type == "Embedding")
    assert freeze(ck.model, ck.graph, [emb[:8]]) == 1
    assert not ck.model.get_submodule("blocks.0").embedding.weight.requires_grad
    with pytest.raises(ConfigError, match="'nope' is neither a node id"):
        freeze(ck.model, ck.graph, ["nope"])


def test_init_from_with_an_edited_source_carries_weights(pretrained, corpus, tmp_path):
    """An edited copy (an extra layer) starts near the pretrained loss, not from scratch."""
    _, run = pretrained
    from olm.store.checkpoint import load

    graph = load(run).graph
    rep = next(n for n in graph.walk() if graph.node(n).type == "Repeat")
    graph.node(rep).params["num_repeat"] = 2
    olm.graph.save(graph, tmp_path / "deeper.olm.json")
    out = tmp_path / "ft"
    assert main(_args(corpus, out, str(tmp_path / "deeper.olm.json"), "--init-from",
                      str(run))) == 0
    trained = _losses(run)
    assert _losses(out)[0] < trained[-1] + 0.5 * (trained[0] - trained[-1])


def test_fine_tuned_chat_model_exports_with_its_chat_template(corpus, tmp_path):
    """--init-from a Hugging Face folder: the run keeps its tokenizer, and so does the export."""
    from chat_tiny import make_chat_folder

    from olm.interop.hf import save_hf
    from olm.store.checkpoint import load

    make_chat_folder(tmp_path / "hf")
    assert main(_args(corpus, tmp_path / "ft", "--init-from", str(tmp_path / "hf"),
                      steps=2)) == 0
    ck = load(tmp_path / "ft")
    save_hf(ck.model, tmp_path / "out", tokenizer=ck.tokenizer)
    for name in ("tokenizer_config.json", "chat_template.jinja", "generation_config.json"):
        assert (tmp_path / "out" / name).read_text() == (tmp_path / "hf" / name).read_text()
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    original = json.loads((tmp_path / "hf" / "config.json").read_text())
    assert config["eos_token_id"] == original["eos_token_id"]


def test_olm_eval_matches_the_runs_validation_loss(pretrained, corpus, capsys):
    """`olm eval` scores the windows the trainer validates on, so the numbers agree."""
    _, run = pretrained
    val = [e.val_loss for e in read_events(run / "events.jsonl") if e.KIND == "eval"][-1]
    capsys.readouterr()
    assert main(["eval", str(run), "--data", str(corpus), "--seq-len", "32", "--batches", "1",
                 "--batch-size", "4", "--device", "cpu", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["loss"] == pytest.approx(val, rel=1e-4)
    assert result["tokens"] == 4 * 32


def test_olm_eval_refuses_what_carries_no_weights(tmp_path, capsys):
    assert main(["eval", str(tmp_path), "--data", "builtin"]) == 2
    assert "not a checkpoint or run folder" in capsys.readouterr().err


@pytest.mark.parametrize("drop,kept", [("first", 1), ("last", 0)])
def test_init_from_a_shallower_source_drops_the_chosen_layers(corpus, tmp_path, drop, kept):
    """A 2-layer pretrained model into a 1-layer SOURCE: --drop-layers picks which survives."""
    from tiny_models import tiny_llama

    from olm.store.checkpoint import load, save

    deep = tiny_llama(layers=2)
    graph = olm.graph.from_module(deep)
    model = olm.graph.build(graph)
    save(tmp_path / "deep", model, graph=graph)
    shallow = graph.copy()
    rep = next(n for n in shallow.walk() if shallow.node(n).type == "Repeat")
    shallow.node(rep).params["num_repeat"] = 1
    olm.graph.save(shallow, tmp_path / "shallow.olm.json")
    out = tmp_path / "ft"
    assert main(_args(corpus, out, str(tmp_path / "shallow.olm.json"), "--init-from",
                      str(tmp_path / "deep"), "--drop-layers", drop, "--freeze", "blocks.1",
                      steps=1)) == 0
    tuned = load(out).model.get_submodule("blocks.1.stack.0").state_dict()
    want = model.get_submodule(f"blocks.1.stack.{kept}").state_dict()
    assert all(torch.equal(tuned[k], want[k]) for k in want)
