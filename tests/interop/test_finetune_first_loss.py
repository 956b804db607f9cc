"""A fine-tune starts at the pretrained loss (issue 24 item 3).

A tiny Llama chat model is written locally, trained briefly so its loss sits well below
ln(vocab), and saved as a Hugging Face folder and as a GGUF file. For each, with and
without an edit (MHA-style KV heads pooled 2 → 1, the ``carry_weights`` conversion), the
first loss of ``olm train --init-from`` must match what ``olm eval`` (Model → Measure Loss)
says for the same weights, within the noise of one batch. Trial scale never applies to a
run from weights: ``--trial`` is turned off with a line saying so.
"""

from __future__ import annotations

import json
import math

import pytest
import torch

from olm.cli.main import main
from olm.graph import build, save
from olm.graph.overrides import apply_overrides
from olm.graph.weights import carry_weights
from olm.store.pretrained import open_pretrained
from olm.train.evaluate import heldout_loss
from olm.train.events import StartEvent, StepEvent, read_events

pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")

SEQ, BATCHES, BATCH = 32, 8, 8  # trained_tiny.SEQ
NOISE = 0.35  # one batch of 32 x 32 tokens against 8 x 8 held-out windows


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """Trained weights as ``{"hf": folder, "gguf": file}``, the corpus, and the vocabulary."""
    from trained_tiny import make_trained

    files, text, vocab = make_trained(tmp_path_factory.mktemp("finetune"))
    return {k: str(v) for k, v in files.items()}, str(text), vocab


def _measured(weights: str, corpus: str, capsys) -> float:
    """``olm eval`` (what Model → Measure Loss reports) on the unedited weights."""
    capsys.readouterr()
    assert main(["eval", weights, "--data", corpus, "--seq-len", str(SEQ), "--batches",
                 str(BATCHES), "--batch-size", str(BATCH), "--device", "cpu", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["loss"]


def _edited(weights: str, corpus: str, folder) -> tuple[str, float]:
    """The document with 1 KV head, and the held-out loss of its carried (pooled) weights,
    measured the way Measure Loss measures the canvas model after an edit."""
    opened = open_pretrained(weights)
    edited = apply_overrides(opened.graph, {"num_kv_heads": 1})
    torch.manual_seed(0)
    model = build(edited)
    report = carry_weights(opened.graph, opened.model, edited, model)
    assert any(s.startswith("converted: mean-pooled") for s in report.values()), report
    path = folder / "edited.olm.json"
    save(edited, path)
    loss = heldout_loss(model, opened.tokenizer, corpus, seq_len=SEQ, batches=BATCHES,
                        batch_size=BATCH).loss
    return str(path), loss


def _first_loss(args: list[str], events) -> tuple[float, StartEvent]:
    assert main(["train", *args, "--steps", "1", "--batch-size", "32", "--seq-len", str(SEQ),
                 "--eval-every", "0", "--eval-batches", "1", "--device", "cpu",
                 "--events", str(events), "--no-progress"]) == 0
    read = list(read_events(events))
    start = next(e for e in read if isinstance(e, StartEvent))
    return next(e.loss for e in read if isinstance(e, StepEvent)), start


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["hf", "gguf"])
@pytest.mark.parametrize("edit", [False, True], ids=["as-is", "kv-heads-pooled"])
def test_first_loss_matches_the_measured_loss(pretrained, kind, edit, tmp_path, capsys):
    files, corpus, vocab = pretrained
    weights = files[kind]
    if edit:
        source, measured = _edited(weights, corpus, tmp_path)
        args = [source, "--init-from", weights, "--data", corpus]
    else:
        measured = _measured(weights, corpus, capsys)
        args = ["--init-from", weights, "--data", corpus]
    assert measured < math.log(vocab) - 1.5  # trained: far from a fresh initialisation
    first, start = _first_loss(args, tmp_path / "events.jsonl")
    assert abs(first - measured) < NOISE, (first, measured)
    assert start.vocab_size == vocab  # the model's own tokenizer, not the byte default


@pytest.mark.slow
def test_trial_scale_is_turned_off_for_a_run_from_weights(pretrained, tmp_path, capsys):
    files, corpus, _ = pretrained
    params = sum(p.numel() for p in open_pretrained(files["hf"]).model.parameters())
    capsys.readouterr()
    _, start = _first_loss(["--init-from", files["hf"], "--data", corpus, "--trial",
                            "--budget", "5s"], tmp_path / "events.jsonl")
    assert "trial scale: off: a run from pretrained weights" in capsys.readouterr().err
    assert start.params == params and start.config["trial"] is False


def test_kv_pooling_matches_an_independent_transformers_model(tmp_path):
    """MHA → GQA by mean-pooling, checked against ``transformers`` itself: an HF Llama with
    2 KV heads whose K/V rows are the means of the 4-head model's consecutive head pairs
    (HF's ``repeat_kv`` gives query head h the KV head h // group) computes the same logits
    as olm's carried model."""
    import transformers as T

    config = T.LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48,
                           num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                           max_position_embeddings=64, bos_token_id=None, eos_token_id=None,
                           pad_token_id=None)
    torch.manual_seed(0)
    mha = T.LlamaForCausalLM(config).eval()
    mha.save_pretrained(tmp_path / "mha")
    gqa_config = T.LlamaConfig(**{**config.to_dict(), "num_key_value_heads": 2})
    gqa = T.LlamaForCausalLM(gqa_config).eval()
    state, hd = mha.state_dict(), config.hidden_size // config.num_attention_heads
    for name, tensor in state.items():
        if name.endswith(("k_proj.weight", "v_proj.weight")):
            tensor = tensor.reshape(2, 2, hd, -1).mean(dim=1).reshape(2 * hd, -1)
        state[name] = tensor
    gqa.load_state_dict(state)

    opened = open_pretrained(tmp_path / "mha")
    edited = apply_overrides(opened.graph, {"num_kv_heads": 2})
    model = build(edited)
    carry_weights(opened.graph, opened.model, edited, model)
    ids = torch.randint(0, 64, (2, 12))
    with torch.no_grad():
        torch.testing.assert_close(model.eval()(ids), gqa(ids).logits, atol=1e-5, rtol=1e-4)
