"""The check process answers exactly what the same check answers in the window's process.

A check reaches the child as JSON (the model's document, the run's settings) and comes
back as JSON, so these tests compare the child's answers with the checks run here on the
original objects, for every preset; and they show the child is replaced when it dies and
that the checks are still answered (here) when no child can be started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from waiting import CHILD_S

from olm.graph import from_source
from olm.interop.hf.problems import export_problem
from olm.models import PRESETS
from olm.train.config import TrainConfig
from olm.train.preflight import preflight
from olm_studio.checker.client import CheckProcess


@pytest.fixture(scope="module")
def child():
    process = CheckProcess()
    yield process
    process.close()


@pytest.mark.slow
def test_every_preset_gets_the_hugging_face_answer_it_gets_here(child):
    answers = {}
    for name in sorted(PRESETS):
        graph = from_source(name)
        reply = child.ask({"kind": "export", "graph": graph.to_dict()})
        answers[name] = reply
        assert reply == {"reason": export_problem(graph)}, name
    assert child.answered_here == 0 and child.pid not in (None, os.getpid())
    assert any(r["reason"] is None for r in answers.values())  # both kinds of answer seen
    assert any(r["reason"] for r in answers.values())


@pytest.mark.parametrize("trial", [False, True])
def test_a_preflight_answer_is_the_one_made_here(child, trial, tmp_path):
    graph = from_source("GPT2")
    config = TrainConfig(source="GPT2", trial=trial, seq_len=64, batch_size=2, steps=5,
                         data=str(tmp_path / "missing.txt"))
    reply = child.ask({"kind": "preflight", "graph": graph.to_dict(),
                       "config": config.to_json()})
    here = [{"severity": p.severity, "message": p.message, "fix": p.fix}
            for p in preflight(graph, config, timing=False)]
    assert any("missing.txt" in p["message"] for p in reply["problems"])  # found there
    assert reply["problems"] == here  # (an error: no time estimate, which would vary)


def test_a_request_of_an_unknown_kind_is_refused_by_name(child):
    assert child.ask({"kind": "compile"}) == {
        "error": "unknown check 'compile': expected one of preflight, export"}


def test_a_child_that_died_is_replaced(child):
    graph = from_source("GPT2").to_dict()
    child.ask({"kind": "export", "graph": graph})
    first = child.pid
    os.kill(first, 9)
    reply = child.ask({"kind": "export", "graph": graph})
    assert reply == {"reason": export_problem(from_source("GPT2"))}
    assert child.pid not in (None, first) and child.answered_here == 0


def test_without_a_child_the_check_is_answered_here(monkeypatch):
    process = CheckProcess()
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    reply = process.ask({"kind": "export", "graph": from_source("GPT2").to_dict()})
    assert reply == {"reason": export_problem(from_source("GPT2"))}
    assert process.answered_here == 1 and process.pid is None


def test_the_server_answers_a_line_that_is_not_json_and_keeps_serving():
    proc = subprocess.run(
        [sys.executable, "-m", "olm_studio.checker.server"], text=True, capture_output=True,
        input='{not json\n{"id": 7, "kind": "nothing"}\n', timeout=CHILD_S)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0 and lines[0] == {"ready": True}
    assert lines[1]["error"].startswith("not a JSON request")
    assert lines[2] == {"id": 7, "error": "unknown check 'nothing': expected one of "
                                          "preflight, export"}
