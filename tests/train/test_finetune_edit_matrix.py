"""Composition matrix row of issue 24: weight-carrying edits × fine-tune.

Every edit that carries weights (MHA → GQA by pooling, LayerNorm → RMSNorm keeping the
gain, untying the output head, a larger vocabulary, fewer and more layers) is applied to
the document of a briefly trained tiny run, and ``olm train EDITED --init-from RUN``
trains one step. The first loss of that fine-tune must be what the carried weights score
on held-out text (the number Model → Measure Loss shows after the edit), within the noise
of one batch, and below a fresh model's ln(vocab): the run starts from the carried
weights, not from a re-initialisation.
"""

from __future__ import annotations

import math

import pytest
import torch

import olm.graph
from olm.cli.main import main
from olm.graph._node_commands import ReplaceNode
from olm.graph.weights import REINIT, carry_weights
from olm.store.pretrained import open_pretrained
from olm.train.evaluate import heldout_loss
from olm.train.events import StepEvent, read_events

VOCAB, SEQ = 256, 32  # the byte tokenizer's vocabulary
NOISE = 0.35  # one training batch of 32 x 32 tokens against 8 x 8 held-out windows
TEXT = "the quick brown fox jumps over the lazy dog; pack my box with five dozen jugs. "


def _first(graph, type_name: str) -> str:
    return next(n for n in graph.walk() if graph.node(n).type == type_name)


def _set(graph, type_name: str, **params) -> None:
    graph.node(_first(graph, type_name)).params.update(params)


def _rmsnorm(graph) -> None:
    command = ReplaceNode(_first(graph, "LayerNorm"), "RMSNorm")
    command.touched(graph)
    command.apply(graph)


def _untie(graph) -> None:
    graph.node(_first(graph, "OutputHead")).params.pop("tied_embedding")


def _vocab(graph) -> None:
    _set(graph, "Embedding", vocab_size=VOCAB + 8)
    _set(graph, "OutputHead", vocab_size=VOCAB + 8)


FAMILIES = {"gpt2": {}, "llama3": {"num_kv_heads": 4}}  # llama3 with MHA: 4 KV heads of 4
EDITS = {  # name: (the tiny family it applies to, the edit)
    "mha-to-gqa": ("llama3", lambda g: _set(g, "GroupedQueryAttention", num_kv_heads=2)),
    "layernorm-to-rmsnorm": ("gpt2", _rmsnorm),
    "untie-head": ("gpt2", _untie),
    "larger-vocab": ("llama3", _vocab),
    "fewer-layers": ("llama3", lambda g: _set(g, "Repeat", num_repeat=1)),
    "more-layers": ("llama3", lambda g: _set(g, "Repeat", num_repeat=4)),
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny):
    """A corpus and, per family, a run folder of a tiny model trained until it has learnt
    the corpus well below ln(vocab)."""
    folder = tmp_path_factory.mktemp("edit-matrix")
    corpus = folder / "corpus.txt"
    corpus.write_text(TEXT * 400, encoding="utf-8")
    runs = {}
    for family, sizes in FAMILIES.items():
        doc = folder / f"{family}.olm.json"
        olm.graph.save(tiny.graph(family, vocab_size=VOCAB, max_seq_len=SEQ, **sizes), doc)
        runs[family] = folder / f"{family}-run"
        assert main(["train", str(doc), "--data", str(corpus), "--steps", "60",
                     "--batch-size", "8", "--seq-len", str(SEQ), "--lr", "3e-3",
                     "--eval-every", "0", "--device", "cpu", "--seed", "0",
                     "--out", str(runs[family]), "--no-progress"]) == 0
    return corpus, runs


def _carried_loss(run, edit, corpus, folder) -> tuple[str, float]:
    """The edited document, and the held-out loss of the trained weights carried into it."""
    opened = open_pretrained(run)
    edited = opened.graph.copy()
    edit(edited)
    torch.manual_seed(0)
    model = olm.graph.build(edited)
    report = carry_weights(opened.graph, opened.model, edited, model)
    assert REINIT not in report.values(), report
    path = folder / "edited.olm.json"
    olm.graph.save(edited, path)
    loss = heldout_loss(model.eval(), "byte", str(corpus), seq_len=SEQ, batches=8,
                        batch_size=8).loss
    return str(path), loss


@pytest.mark.slow
@pytest.mark.parametrize("name", EDITS)
def test_a_fine_tune_after_a_weight_carrying_edit_starts_from_the_carried_weights(
        trained, name, tmp_path):
    corpus, runs = trained
    family, edit = EDITS[name]
    source, measured = _carried_loss(runs[family], edit, corpus, tmp_path)
    # the carried weights kept what was learnt (dropping one of two layers keeps less)
    assert measured < math.log(VOCAB) - 0.5
    events = tmp_path / "events.jsonl"
    assert main(["train", source, "--init-from", str(runs[family]), "--data", str(corpus),
                 "--steps", "1", "--batch-size", "32", "--seq-len", str(SEQ),
                 "--eval-every", "0", "--device", "cpu", "--events", str(events),
                 "--out", str(tmp_path / "finetune"), "--no-progress"]) == 0
    first = next(e.loss for e in read_events(events) if isinstance(e, StepEvent))
    assert abs(first - measured) < NOISE, (name, first, measured)
