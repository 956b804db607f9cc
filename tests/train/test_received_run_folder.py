"""A received run folder stays inside its bounds (issue 25 items 1, 5 and 7).

Each case builds the hostile folder a person could be sent and checks that olm neither
writes, deletes nor reads outside it, and that checkpoint damage never goes unnoticed.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from tiny_models import tiny_llama, write_tiny_source

import olm.graph
from olm.cli.main import main
from olm.core.errors import ConfigError, FileFormatError
from olm.store import checkpoint, layout
from olm.store.checkpoint import UnverifiedCheckpointWarning
from olm.store.run_lock import RunLock
from olm.train.resume import resume_config


def _step(run: Path, step: int) -> Path:
    return run / layout.CHECKPOINTS_DIR / layout.step_name(step)


def _save_step(run: Path, step: int, config: dict) -> Path:
    """A step checkpoint of a tiny model whose state records ``config``."""
    model = tiny_llama(dim=16)
    return checkpoint.save(_step(run, step), model, state={"step": step, "config": config})


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    run = tmp_path / "run"
    run.mkdir()
    (run / layout.LOCK_NAME).symlink_to(precious)
    with pytest.raises(ConfigError, match="link"):
        RunLock(run).acquire()
    assert precious.read_text() == "keep me\n"


def test_a_symlinked_checkpoints_folder_is_refused_before_pruning(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    for step in (1, 2, 3):
        (elsewhere / layout.step_name(step)).mkdir(parents=True)
        (elsewhere / layout.step_name(step) / "data.bin").write_bytes(b"x")
    run = tmp_path / "run"
    run.mkdir()
    (run / layout.CHECKPOINTS_DIR).symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ConfigError, match="is a link"):
        checkpoint.prune_checkpoints(run, keep=1)
    with pytest.raises(ConfigError, match="is a link"):
        checkpoint.save(_step(run, 4), tiny_llama(dim=16))
    assert sorted(p.name for p in elsewhere.iterdir()) == [layout.step_name(s) for s in (1, 2, 3)]


def test_a_symlinked_step_folder_is_refused_before_pruning(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data.bin").write_bytes(b"x")
    run = tmp_path / "run"
    (run / layout.CHECKPOINTS_DIR).mkdir(parents=True)
    _step(run, 1).symlink_to(outside, target_is_directory=True)
    (_step(run, 2)).mkdir()
    with pytest.raises(ConfigError, match="is a link"):
        checkpoint.prune_checkpoints(run, keep=1)
    assert (outside / "data.bin").is_file()


def test_resume_refuses_recorded_paths_outside_the_run(tmp_path):
    run = tmp_path / "run"
    victim = tmp_path / "victim.log"
    _save_step(run, 1, {"events": str(victim), "data": "/etc/hostname", "steps": 3})
    with pytest.raises(ConfigError) as err:
        resume_config(str(run), {})
    message = str(err.value)
    assert str(victim) in message and "/etc/hostname" in message
    assert "--trust-recorded-paths" in message and "\n" not in message


def test_a_path_given_again_wins_and_the_flag_confirms_the_rest(tmp_path):
    run = tmp_path / "run"
    victim = tmp_path / "victim.log"
    _save_step(run, 1, {"events": str(victim), "data": "builtin", "steps": 3})
    mine = tmp_path / "mine.jsonl"
    config, _ = resume_config(str(run), {"events": str(mine)})
    assert config.events == str(mine)
    config, _ = resume_config(str(run), {}, trust_recorded_paths=True)
    assert config.events == str(victim)


def test_recorded_paths_inside_the_run_need_no_confirmation(tmp_path):
    run = tmp_path / "run"
    _save_step(run, 1, {"events": str(run / layout.EVENTS), "data": "builtin", "steps": 3})
    config, _ = resume_config(str(run), {})
    assert config.events == str(run / layout.EVENTS)


def test_the_cli_refuses_an_outside_path_with_exit_2(tmp_path, capsys):
    run = tmp_path / "run"
    _save_step(run, 1, {"events": str(tmp_path / "victim.log"), "steps": 3})
    assert main(["train", "--resume", str(run)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--trust-recorded-paths" in err
    assert not (tmp_path / "victim.log").exists()


def test_a_flipped_byte_without_a_manifest_does_not_load_silently(tmp_path):
    folder = tmp_path / "ckpt"
    tiny_llama(dim=16).save(folder)
    (folder / layout.MANIFEST).unlink()
    weights = folder / layout.WEIGHTS
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0x01  # a mantissa bit of the last weight: still a finite number
    weights.write_bytes(bytes(data))
    with pytest.warns(UnverifiedCheckpointWarning, match=layout.MANIFEST):
        checkpoint.load(folder)


def test_a_checkpoint_with_a_manifest_loads_without_a_warning(tmp_path):
    folder = tmp_path / "ckpt"
    tiny_llama(dim=16).save(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnverifiedCheckpointWarning)
        checkpoint.load(folder)


def test_a_relative_source_is_never_read_from_the_current_folder(tmp_path, monkeypatch):
    graph = olm.graph.from_source(write_tiny_source(tmp_path / "tiny.py"))
    run = tmp_path / "run"
    folder = checkpoint.save(_step(run, 1), olm.graph.build(graph),
                             state={"step": 1, "config": {"source": "tiny.olm.json"}})
    (folder / layout.MODEL_DOCUMENT).unlink()
    (folder / layout.MANIFEST).unlink()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    olm.graph.save(graph, elsewhere / "tiny.olm.json")
    monkeypatch.chdir(elsewhere)
    with pytest.raises(FileFormatError, match="never looked up in the current folder"):
        checkpoint.load(folder)
    olm.graph.save(graph, run / "tiny.olm.json")  # the run's own copy is found
    with pytest.warns(UnverifiedCheckpointWarning):
        assert checkpoint.load(folder).graph is not None


def test_a_full_disk_during_a_save_exits_2_and_keeps_the_previous_checkpoint(
        tmp_path, corpus_file, monkeypatch, capsys):
    real = checkpoint.save_model
    calls = []

    def save_model(model, filename, metadata=None):
        calls.append(filename)
        if len(calls) == 2:
            # what safetensors raises on ENOSPC: its own error type, not an OSError
            raise type("SafetensorError", (Exception,), {})(
                "Error while serializing: IoError(Os { code: 28, kind: StorageFull })")
        return real(model, filename, metadata=metadata)

    monkeypatch.setattr(checkpoint, "save_model", save_model)
    run = tmp_path / "run"
    source = write_tiny_source(tmp_path / "tiny.py")
    code = main(["train", source, "--data", str(corpus_file), "--steps", "2", "--batch-size",
                 "2", "--seq-len", "16", "--eval-every", "0", "--checkpoint-every", "1",
                 "--threads", "1", "--out", str(run), "--events", str(run / layout.EVENTS)])
    assert code == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "StorageFull" in err[0] and "unchanged" in err[0]
    checkpoint.verify(_step(run, 1))
    assert checkpoint.list_checkpoints(run) == [_step(run, 1)]
    assert not [p for p in (run / layout.CHECKPOINTS_DIR).iterdir()
                if p.name.startswith(layout.STAGING_PREFIX)]
    assert os.listdir(run / layout.CHECKPOINTS_DIR) == [layout.step_name(1)]
