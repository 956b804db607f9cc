"""Run folders written before the run record still open, list and resume (issue 23).

The folders are generated from the known old layouts: a plain ``olm train --out`` folder
(no ``record.json``, no document beside it) and a Studio folder (``run.json`` with the
settings, ``train.json`` for the child, the trainer's output in ``checkpoint/``), both
trained by the real writer, with what the old writer did not write removed.
"""

from __future__ import annotations

import json
import time

from tiny_models import write_tiny_source

from olm.cli.main import main
from olm.store import checkpoint, layout
from olm.store.pretrained import open_pretrained
from olm.store.record import read_record
from olm.store.runs import RunStore, project_key
from olm.train.config import TrainConfig


def _train(args: list[str]) -> None:
    assert main(["train", *args]) == 0


def _forget_the_record(out) -> None:
    """Remove what only the run record's writer puts in an ``--out`` folder."""
    (out / layout.RECORD).unlink()
    (out / layout.MODEL_DOCUMENT).unlink()


def test_a_plain_out_folder_from_before_records_opens_and_resumes(corpus_file, tmp_path):
    source = write_tiny_source(tmp_path / "tiny.py")
    out = tmp_path / "run"
    _train([source, "--data", str(corpus_file), "--steps", "2", "--batch-size", "2",
            "--seq-len", "16", "--eval-every", "0", "--threads", "1", "--out", str(out)])
    _forget_the_record(out)
    assert checkpoint.load(out).state["step"] == 2
    assert open_pretrained(out).kind == "checkpoint"
    _train(["--resume", str(out), "--steps", "3", "--data", str(corpus_file)])
    assert checkpoint.load(out).state["step"] == 3
    assert read_record(out)["status"] == "finished"  # a resumed old folder gains a record


def _old_studio_run(root, corpus_file, tmp_path):
    """A Studio run folder exactly as the Studio wrote it before the run record."""
    import olm.graph

    folder = root / "20250101-120000-tiny"
    folder.mkdir(parents=True)
    graph = olm.graph.from_source(write_tiny_source(tmp_path / "tiny.py"))
    olm.graph.save(graph, folder / layout.MODEL_DOCUMENT)
    config = TrainConfig(source=str(folder / layout.MODEL_DOCUMENT), data=str(corpus_file),
                         steps=2, batch_size=2, seq_len=16, eval_every=0, threads=1,
                         out=str(folder / layout.STUDIO_CHECKPOINT_DIR), events="-")
    config.write_file(folder / layout.STUDIO_CONFIG)
    (folder / layout.RUN_RECORD).write_text(json.dumps({
        "format": 2, "name": "old run", "model_name": "tiny", "created": time.time(),
        "status": "finished", "reason": "", "config": config.to_json()}))
    _train(["--config", str(folder / layout.STUDIO_CONFIG)])
    _forget_the_record(folder / layout.STUDIO_CHECKPOINT_DIR)
    return folder


def test_an_old_studio_run_folder_lists_and_resumes(corpus_file, tmp_path):
    root = tmp_path / "runs"
    folder = _old_studio_run(root, corpus_file, tmp_path)
    [run] = RunStore(root).list(project_key(tmp_path / "p.olm.json", "tiny"))
    assert run.legacy and run.name == "old run" and run.status == "finished"
    assert run.settings["steps"] == 2 and run.model_name == "tiny"
    assert run.checkpoint_dir == folder / layout.STUDIO_CHECKPOINT_DIR
    assert run.graph().root  # the document it trained
    latest = run.latest_checkpoint()
    assert latest is not None and latest.parent.parent == run.checkpoint_dir
    # resumed as the Studio resumes: its train.json and the checkpoint
    _train(["--config", str(run.config_path), "--resume", str(latest), "--steps", "3"])
    assert checkpoint.load(run.checkpoint_dir).state["step"] == 3
    run.set_status("stopped", "by hand")
    [again] = RunStore(root).list()
    assert again.legacy and again.status == "stopped" and again.reason == "by hand"
    assert not (folder / layout.RECORD).exists()  # an old folder keeps its format


def test_a_format_1_studio_run_lists_with_its_settings(tmp_path):
    folder = tmp_path / "runs" / "old"
    folder.mkdir(parents=True)
    (folder / layout.RUN_RECORD).write_text(json.dumps({
        "name": "first", "created": 1.0, "status": "failed",
        "settings": {"steps": 7, "lr": 0.01, "tokenizer_kind": "bpe", "bpe_vocab": 512}}))
    [run] = RunStore(tmp_path / "runs").list()
    assert run.settings["steps"] == 7 and run.settings["tokenizer"] == "bpe:512"
    assert run.legacy and run.status == "failed"


def test_a_projects_runs_are_those_whose_record_names_it(tmp_path):
    import olm.graph

    graph = olm.graph.from_source("GPT2")
    root = tmp_path / "runs"
    store = RunStore(root)
    a, b = project_key(tmp_path / "a.olm.json", "GPT2"), project_key(None, "GPT2")
    mine = store.create("GPT2", {"steps": 1}, graph, project=a)
    store.create("GPT2", {"steps": 2}, graph, project=b)
    assert [r.id for r in store.list(a)] == [mine.id]
    assert read_record(mine.path)["project"] == str(tmp_path / "a.olm.json")
    assert len(store.list()) == 2
