"""A run record that is too large, not UTF-8 or not a regular file is refused before it
is parsed, in one line that names the file and the rule (the bounded reader of
``olm.core.files``, as every other reader in olm)."""

from __future__ import annotations

import os

import pytest

from olm.core.errors import OLMError
from olm.core.limits import MAX_RUN_RECORD_BYTES
from olm.store import layout
from olm.store.record import read_record, write_record


def _refused(run_dir) -> str:
    with pytest.raises(OLMError) as info:
        read_record(run_dir)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and str(run_dir / layout.RECORD) in message
    return message


def test_a_record_over_the_limit_is_refused_naming_the_limit(tmp_path):
    path = write_record(tmp_path, {"name": "big"})
    body = path.read_bytes()
    # still valid JSON (trailing blanks): only the size is wrong with it
    path.write_bytes(body + b" " * (MAX_RUN_RECORD_BYTES + 1 - len(body)))
    message = _refused(tmp_path)
    assert f"too large for a run record (at most {MAX_RUN_RECORD_BYTES:,})" in message
    path.write_bytes(body)
    assert read_record(tmp_path)["name"] == "big"  # the same record at its size reads


def test_a_record_that_is_not_utf8_is_refused_naming_the_byte(tmp_path):
    path = write_record(tmp_path, {"name": "x"})
    body = path.read_bytes()
    at = body.index(b'"x"') + 1
    path.write_bytes(body[:at] + b"\xff" + body[at + 1:])
    assert f"byte {at}: not UTF-8 text" in _refused(tmp_path)


def test_a_record_that_is_a_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / layout.RECORD)
    assert "a pipe (FIFO), not a regular run record" in _refused(tmp_path)
