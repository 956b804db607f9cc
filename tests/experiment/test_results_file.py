"""An experiment's ``experiment.json`` that is too large, not UTF-8 or not a regular file
is refused before it is parsed, in one line that names the file and the rule (the
bounded reader of ``olm.core.files``, as every other reader in olm)."""

from __future__ import annotations

import json
import os

import pytest

from olm.core.errors import OLMError
from olm.core.limits import MAX_EXPERIMENT_BYTES
from olm.experiment.results import EXPERIMENT_FILE, read_experiment, write_json_atomic


def _refused(folder) -> str:
    with pytest.raises(OLMError) as info:
        read_experiment(folder)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and str(folder / EXPERIMENT_FILE) in message
    return message


def test_results_over_the_limit_are_refused_naming_the_limit(tmp_path):
    path = tmp_path / EXPERIMENT_FILE
    write_json_atomic(path, {"models": [{"name": "a"}]})
    body = path.read_bytes()
    # still valid JSON (trailing blanks): only the size is wrong with it
    path.write_bytes(body + b" " * (MAX_EXPERIMENT_BYTES + 1 - len(body)))
    message = _refused(tmp_path)
    assert f"too large for a results file (at most {MAX_EXPERIMENT_BYTES:,})" in message
    path.write_bytes(body)
    assert read_experiment(tmp_path) == json.loads(body)  # the same file at its size reads


def test_results_that_are_not_utf8_are_refused_naming_the_byte(tmp_path):
    path = tmp_path / EXPERIMENT_FILE
    write_json_atomic(path, {"models": [{"name": "a"}]})
    body = path.read_bytes()
    at = body.index(b'"a"') + 1
    path.write_bytes(body[:at] + b"\xff" + body[at + 1:])
    assert f"byte {at}: not UTF-8 text" in _refused(tmp_path)


def test_results_that_are_a_pipe_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / EXPERIMENT_FILE)
    assert "a pipe (FIFO), not a regular results file" in _refused(tmp_path)
