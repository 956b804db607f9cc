"""``train_iter``: learning on a corpus, the event schema, exact resume, and faults."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from tiny_models import poisoned, tiny_llama

from olm.core.errors import ConfigError, FileFormatError, OLMError
from olm.train import TrainConfig, TrainRun, train_iter
from olm.train.events import EVENT_KINDS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _cfg(corpus, **kw) -> TrainConfig:
    base = dict(source=tiny_llama(), data=str(corpus), steps=6, batch_size=4, seq_len=16,
                lr=3e-3, warmup_steps=2, eval_every=3, eval_batches=2, threads=1)
    base.update(kw)
    return TrainConfig(**base)


def _by_kind(events, kind):
    return [e for e in events if e.KIND == kind]


def test_loss_decreases_on_the_corpus(corpus_file):
    torch.manual_seed(0)
    events = list(train_iter(_cfg(corpus_file, steps=60, batch_size=8, seq_len=32, eval_every=10,
                                  log_every=10)))
    evals = [e.val_loss for e in _by_kind(events, "eval")]
    assert len(evals) == 6
    assert evals[-1] < evals[0] - 0.3
    assert events[-1].status == "finished"


def test_event_schema_and_docs(corpus_file, tmp_path):
    events = list(train_iter(_cfg(corpus_file, out=str(tmp_path / "run"), sample_every=3,
                                  sample_tokens=5, checkpoint_every=3, telemetry=3)))
    kinds = [e.KIND for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert set(kinds) == set(EVENT_KINDS) - {"config_change"}  # only resumes with changes
    for e in events:
        json.dumps(e.to_json(), allow_nan=False)  # every event is strict JSON
        assert isinstance(e.time, float)
    steps = _by_kind(events, "step")
    assert [e.step for e in steps] == [1, 2, 3, 4, 5, 6]
    for e in steps:
        assert e.loss > 0 and e.lr > 0 and e.grad_norm > 0
        assert e.tokens == e.step * 4 * 16
        assert e.tokens_per_s > 0 and e.elapsed_s > 0 and e.eta_s >= 0
    assert steps[-1].eta_s == 0
    assert [e.step for e in _by_kind(events, "checkpoint")] == [3, 6]
    assert all(Path(e.path, "model.safetensors").is_file() for e in _by_kind(events, "checkpoint"))
    sample = _by_kind(events, "sample")[0]
    assert sample.prompt == "def " and isinstance(sample.text, str)
    assert events[0].tokens_per_step == 64 and events[0].vocab_size == 256
    # every field a consumer can see is documented in docs/events.md
    documented = set(re.findall(r"^\|\s*`(\w+)`", DOCS.read_text(), flags=re.M))
    emitted = {k for e in events for k in e.to_json()} | {"reason", "checkpoint"}
    assert emitted <= documented, emitted - documented


def test_resume_is_bit_exact(corpus_file, tmp_path):
    def run(out, resume=None, stop_at=None):
        torch.manual_seed(0)
        cfg = _cfg(corpus_file, source=tiny_llama(dropout=0.1), out=str(out), checkpoint_every=3,
                   resume=resume, eval_every=0)
        r = TrainRun(cfg)
        losses = {}
        for e in r:
            if e.KIND == "step":
                losses[e.step] = e.loss
            if stop_at and e.KIND == "checkpoint" and e.step == stop_at:
                break
        return r, losses

    full, full_losses = run(tmp_path / "a")
    _, first = run(tmp_path / "b", stop_at=3)
    assert first == {s: full_losses[s] for s in (1, 2, 3)}
    resumed, rest = run(tmp_path / "b", resume=str(tmp_path / "b"))
    assert rest == {s: full_losses[s] for s in (4, 5, 6)}  # exact equality, not approx
    for (n, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        assert torch.equal(a, b), n


def test_checkpoint_folder_layout(corpus_file, tmp_path):
    list(train_iter(_cfg(corpus_file, out=str(tmp_path), steps=2, eval_every=0)))
    ckpt = tmp_path / "checkpoints" / "step_0000002"
    assert (ckpt / "model.safetensors").is_file()
    assert (ckpt / "tokenizer" / "olm_tokenizer.json").is_file()
    state = json.loads((ckpt / "trainer_state" / "state.json").read_text())
    assert state["step"] == 2 and state["config"]["steps"] == 2
    moments = load_file(str(ckpt / "trainer_state" / "optimizer.safetensors"))
    assert any(k.endswith("exp_avg") for k in moments)
    # atomic write: no temporary folders left behind
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["step_0000002"]


def test_corrupt_checkpoint_is_a_clear_error(corpus_file, tmp_path):
    list(train_iter(_cfg(corpus_file, out=str(tmp_path), steps=2, eval_every=0)))
    weights = tmp_path / "checkpoints" / "step_0000002" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(FileFormatError, match="model.safetensors is corrupt"):
        list(train_iter(_cfg(corpus_file, resume=str(tmp_path), steps=4)))


def test_nan_stops_and_keeps_last_good_checkpoint(corpus_file, tmp_path):
    events = list(train_iter(_cfg(corpus_file, source=poisoned(at=5), out=str(tmp_path),
                                  checkpoint_every=2, eval_every=0, steps=10)))
    end = events[-1]
    assert end.KIND == "end" and end.status == "failed"
    assert "loss became nan at step 5" in end.reason
    assert end.checkpoint.endswith("step_0000004")
    weights = load_file(str(Path(end.checkpoint) / "model.safetensors"))
    assert all(torch.isfinite(t).all() for t in weights.values())
    assert not (tmp_path / "checkpoints" / "step_0000006").exists()


def test_out_of_memory_suggests_smaller_batch(corpus_file):
    oom = torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    events = list(train_iter(_cfg(corpus_file, source=poisoned(at=2, error=oom), batch_size=8)))
    end = events[-1]
    assert end.status == "failed" and end.step == 1
    assert "out of memory at step 2" in end.reason
    assert "--batch-size 4" in end.reason and "--seq-len 8" in end.reason


def test_vocab_mismatch_names_the_fix(corpus_file):
    with pytest.raises(ConfigError, match=r"256 tokens but the model's vocabulary is 128.*"
                                          r"--tokenizer byte|vocab_size >= 256"):
        list(train_iter(_cfg(corpus_file, source=tiny_llama(vocab=128))))


def test_too_long_sequence_is_a_settings_error(corpus_file):
    from olm.models import GPT2Model

    model = GPT2Model(vocab_size=256, embed_dim=32, num_layers=1, num_heads=2, max_seq_len=8)
    with pytest.raises(ConfigError, match="cannot take --seq-len 16"):
        list(train_iter(_cfg(corpus_file, source=model)))


def test_config_rules_name_the_field():
    with pytest.raises(ConfigError, match="batch_size must be > 0"):
        TrainConfig(source="x", batch_size=0)
    with pytest.raises(ConfigError, match="device must be one of"):
        TrainConfig(source="x", device="tpu")
    with pytest.raises(ConfigError, match="source is required"):
        TrainConfig()
    with pytest.raises(OLMError, match="TrainConfig"):
        train_iter({"source": "x"})


def test_unwritable_run_folder_fails_with_a_reason(corpus_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    events = list(train_iter(_cfg(corpus_file, out=str(blocker), steps=2, eval_every=0)))
    end = events[-1]
    # the run record is written into the folder before the first step, so it fails there
    assert end.status == "failed" and end.step == 0
    assert end.reason.startswith("cannot write")
