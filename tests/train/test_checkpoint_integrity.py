"""Checkpoint integrity (issue 11 item 7): checksums, fallback, leftovers, damaged state."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tiny_models import tiny_llama
from waiting import CHILD_S

from olm.cli.main import main
from olm.core.errors import FileFormatError
from olm.data import ByteTokenizer
from olm.store import layout
from olm.store.checkpoint import (
    DamagedCheckpointWarning,
    clean_leftovers,
    load,
    read_state,
    save,
    verify,
)
from olm.train import TrainConfig, train_iter


def _cfg(corpus, **kw) -> TrainConfig:
    base = dict(source=tiny_llama(), data=str(corpus), steps=4, batch_size=2, seq_len=16,
                lr=3e-3, warmup_steps=1, eval_every=0, eval_batches=1, threads=1,
                checkpoint_every=2, keep_checkpoints=2)
    base.update(kw)
    return TrainConfig(**base)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory, corpus_file) -> Path:
    """A finished 4-step run with checkpoints at steps 2 and 4 (copied by each test)."""
    run = tmp_path_factory.mktemp("run") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OLM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "olm-cache"))
        torch.manual_seed(0)
        events = list(train_iter(_cfg(corpus_file, out=str(run))))
    assert events[-1].status == "finished"
    return run


@pytest.fixture
def run(trained_run, tmp_path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(trained_run, copy)
    return copy


def _steps(run: Path) -> list[str]:
    return sorted(p.name for p in (run / layout.CHECKPOINTS_DIR).iterdir())


def _flip_tensor_byte(weights: Path) -> None:
    """Flip one byte inside the tensor data (past the header), which safetensors cannot see."""
    raw = bytearray(weights.read_bytes())
    header = struct.unpack("<Q", raw[:8])[0]
    at = 8 + header + (len(raw) - 8 - header) // 2
    raw[at] ^= 0x40
    weights.write_bytes(bytes(raw))


def test_manifest_lists_every_file_with_its_sha256(run):
    ckpt = run / layout.CHECKPOINTS_DIR / "step_0000004"
    manifest = json.loads((ckpt / layout.MANIFEST).read_text())
    files = set(manifest["files"])
    on_disk = {p.relative_to(ckpt).as_posix() for p in ckpt.rglob("*")
               if p.is_file() and p.name != layout.MANIFEST}
    assert files == on_disk
    assert {layout.WEIGHTS, layout.MODEL_DOCUMENT, "trainer_state/state.json",
            "trainer_state/optimizer.safetensors"} <= files
    import hashlib

    digest = hashlib.sha256((ckpt / layout.WEIGHTS).read_bytes()).hexdigest()
    assert manifest["files"][layout.WEIGHTS]["sha256"] == digest
    verify(ckpt)  # an intact checkpoint passes


def test_flipped_byte_falls_back_to_the_previous_checkpoint(run):
    newest = run / layout.CHECKPOINTS_DIR / "step_0000004"
    _flip_tensor_byte(newest / layout.WEIGHTS)
    with pytest.raises(FileFormatError, match="model.safetensors is corrupt: its sha256"):
        verify(newest)
    with pytest.warns(DamagedCheckpointWarning, match="step_0000004.*step_0000002"):
        loaded = load(run)
    assert loaded.path.name == "step_0000002" and loaded.state["step"] == 2
    # naming the damaged step folder itself also falls back within its run
    with pytest.warns(DamagedCheckpointWarning):
        assert load(newest).path.name == "step_0000002"


def test_resume_falls_back_and_continues_from_the_good_checkpoint(run, corpus_file):
    _flip_tensor_byte(run / layout.CHECKPOINTS_DIR / "step_0000004" / "trainer_state"
                      / layout.OPTIMIZER_FILE)
    with pytest.warns(DamagedCheckpointWarning, match="optimizer.safetensors is corrupt"):
        events = list(train_iter(_cfg(corpus_file, resume=str(run), steps=6)))
    start = events[0]
    assert start.KIND == "start" and events[-1].status == "finished"
    steps = [e.step for e in events if e.KIND == "step"]
    assert steps[0] == 3  # resumed after step 2, the last good one


def test_every_checkpoint_damaged_is_one_clear_error(run, capsys):
    for name in _steps(run):
        _flip_tensor_byte(run / layout.CHECKPOINTS_DIR / name / layout.WEIGHTS)
    with pytest.raises(FileFormatError, match=r"no usable checkpoint in .*all 2 are damaged"):
        load(run)
    assert main(["generate", str(run), "--prompt", "x", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "no usable checkpoint" in err and err.count("\n") == 1


def test_a_single_damaged_folder_is_an_error_not_a_fallback(tmp_path):
    tiny_llama().save(tmp_path / "ckpt")
    _flip_tensor_byte(tmp_path / "ckpt" / layout.WEIGHTS)
    with pytest.raises(FileFormatError, match="model.safetensors is corrupt"):
        load(tmp_path / "ckpt")
    (tmp_path / "ckpt" / layout.WEIGHTS).unlink()
    with pytest.raises(FileFormatError, match="is missing"):
        load(tmp_path / "ckpt")


def test_a_manifest_cannot_point_outside_its_folder(tmp_path):
    tiny_llama().save(tmp_path / "ckpt")
    manifest = tmp_path / "ckpt" / layout.MANIFEST
    data = json.loads(manifest.read_text())
    data["files"]["../../etc/passwd"] = {"bytes": 1, "sha256": "0" * 64}
    manifest.write_text(json.dumps(data))
    with pytest.raises(FileFormatError, match="bad entry '../../etc/passwd'"):
        load(tmp_path / "ckpt")
    manifest.write_text("[1, 2")
    with pytest.raises(FileFormatError, match="manifest.json is corrupt"):
        load(tmp_path / "ckpt")


@pytest.mark.parametrize(("text", "rule"), [
    ("[]", "must hold a JSON object, not list"),
    ('{"step": "12"}', '"step" must be a whole number'),
    ('{"step": true}', '"step" must be a whole number'),
    ('{"step": 2, "config": [1]}', '"config" must be a JSON object'),
    ('{"step": 2, "optimizer": {"param_groups": 3, "scalars": {}}}', '"param_groups" list'),
    ('{"step": 2, "tokens": "many"}', '"tokens" must be a number'),
    ("{not json", "is corrupt"),
])
def test_state_json_with_wrong_types_is_one_line(run, tmp_path, capsys, text, rule):
    ckpt = shutil.copytree(run / layout.CHECKPOINTS_DIR / "step_0000004", tmp_path / "alone")
    layout.state_path(ckpt).write_text(text)
    (ckpt / layout.MANIFEST).unlink()  # a hand-edited state, not a damaged copy
    with pytest.raises(FileFormatError, match=rule):
        read_state(ckpt)
    assert main(["generate", str(ckpt), "--prompt", "x", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert rule.split()[0].strip('"') in err and err.count("\n") == 1


def test_a_recorded_source_of_the_wrong_type_is_one_line(tmp_path, capsys):
    save(tmp_path / "ckpt", tiny_llama(), tokenizer=ByteTokenizer(),
         state={"step": 1, "config": {"source": ["not", "a", "path"]}})  # no document
    (tmp_path / "ckpt" / layout.MODEL_DOCUMENT).unlink(missing_ok=True)
    (tmp_path / "ckpt" / layout.MANIFEST).unlink()
    assert main(["generate", str(tmp_path / "ckpt"), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert 'recorded "source" must be a string, not list' in err and err.count("\n") == 1


def test_nan_weights_are_one_line(tmp_path, capsys):
    model = tiny_llama()
    with torch.no_grad():
        next(model.parameters())[0, 0] = float("nan")
    model.save(tmp_path / "ckpt", tokenizer=ByteTokenizer())  # a consistent manifest
    with pytest.raises(FileFormatError, match="holds NaN or infinite values"):
        load(tmp_path / "ckpt")
    assert main(["generate", str(tmp_path / "ckpt"), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "NaN" in err and err.count("\n") == 1


@pytest.mark.parametrize("flag", ["--temperature", "--top-p"])
def test_generate_refuses_a_nan_sampling_setting(tmp_path, capsys, flag):
    tiny_llama().save(tmp_path / "ckpt", tokenizer=ByteTokenizer())
    assert main(["generate", str(tmp_path / "ckpt"), "--device", "cpu", flag, "nan"]) == 2
    err = capsys.readouterr().err
    assert f"{flag} must be a finite number" in err and err.count("\n") == 1


_BLOCKED_SAVE = """
import pathlib, sys, time
import torch
from olm.store.checkpoint import save

class Tokenizer:  # stands in for a slow write: the checkpoint is half-written here
    def save(self, directory):
        pathlib.Path(directory).mkdir()
        pathlib.Path(sys.argv[2]).write_text("saving")
        time.sleep(600)

save(pathlib.Path(sys.argv[1]), torch.nn.Linear(2, 2), tokenizer=Tokenizer(), state={"step": 6})
"""


def _kill_mid_save(target: Path, tmp_path: Path) -> int:
    """Start a process saving ``target``, SIGKILL it mid-save; returns its pid."""
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _BLOCKED_SAVE, str(target), str(marker)],
                             env={**os.environ})
    try:
        deadline = time.monotonic() + CHILD_S
        while not marker.exists():
            assert child.poll() is None, "the saving process ended before it was killed"
            assert time.monotonic() < deadline, "the saving process never reached the write"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=CHILD_S)
    return child.pid


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_during_save_leaves_nothing_after_the_next_start(run, corpus_file, tmp_path):
    ckpts = run / layout.CHECKPOINTS_DIR
    pid = _kill_mid_save(ckpts / "step_0000006", tmp_path)
    leftover = ckpts / f".tmp-step_0000006-{pid}"
    assert leftover.is_dir()  # what kill -9 leaves
    assert not (ckpts / "step_0000006").exists()
    # the run's next start (a resume into its own folder) cleans it up
    events = list(train_iter(_cfg(corpus_file, resume=str(run), out=str(run), steps=6)))
    assert events[-1].status == "finished"
    assert not leftover.exists()
    assert not [p for p in ckpts.iterdir() if p.name.startswith(".")]
    assert _steps(run) == ["step_0000004", "step_0000006"]


def test_cleaning_restores_a_checkpoint_moved_aside_and_spares_live_writers(run, tmp_path):
    ckpts = run / layout.CHECKPOINTS_DIR
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=CHILD_S)
    dead_pid = int(dead.stdout)
    # killed between "move the old one aside" and "rename the new one in"
    os.replace(ckpts / "step_0000004", ckpts / f".old-step_0000004-{dead_pid}")
    (ckpts / f".tmp-step_0000004-{dead_pid}").mkdir()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        busy = ckpts / f".tmp-step_0000008-{live.pid}"
        busy.mkdir()
        unrelated = run / ".tmp-notes-1"
        unrelated.mkdir()
        removed = clean_leftovers(run)
        assert removed == [ckpts / f".tmp-step_0000004-{dead_pid}"]
        assert (ckpts / "step_0000004" / layout.WEIGHTS).is_file()
        assert busy.is_dir() and unrelated.is_dir()  # another writer's, and not ours
    finally:
        live.kill()
        live.wait(timeout=CHILD_S)
    assert load(run).path.name == "step_0000004"


def test_block_save_writes_into_a_folder_and_keeps_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    model = tiny_llama()
    model.save(tmp_path, tokenizer=ByteTokenizer())
    model.save(tmp_path)  # saving again replaces the files in place
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    verify(tmp_path)
    assert load(tmp_path).tokenizer is not None  # the earlier tokenizer stays beside it


def test_save_replaces_a_checkpoint_atomically(tmp_path):
    model = tiny_llama()
    first = save(tmp_path / "ckpt", model, state={"step": 1})
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    save(first, model, state={"step": 2})
    loaded = load(first)
    assert loaded.state["step"] == 2
    for a, b in zip(loaded.model.parameters(), model.parameters()):
        torch.testing.assert_close(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
