"""Bounded reads (issue 11, item 3): /dev/zero, a FIFO, a huge file, a streamed corpus.

Each case would hang or eat memory without the fix, so each runs under a timeout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from olm.cli.main import main
from olm.core.errors import FileFormatError, OLMError
from olm.core.files import atomic_write_text, check_output_path, read_bytes, read_text
from olm.data.corpus import Corpus, resolve_corpus
from olm.graph import from_source, load

pytestmark = pytest.mark.timeout(30)


def _bytes_read() -> int:
    """Bytes this process has read through read() calls so far (Linux /proc)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.parametrize("name", ["zero.py", "zero.olm.json", "zero"])
def test_a_link_to_dev_zero_is_refused_not_read(tmp_path, capsys, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    with pytest.raises(FileFormatError, match="is a device, not a regular"):
        from_source(link)
    assert main(["info", str(link)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "device" in err


@pytest.mark.parametrize("name", ["pipe.py", "pipe.olm.json"])
def test_a_fifo_is_refused_without_blocking(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with pytest.raises(FileFormatError, match="FIFO"):
        from_source(fifo)
    with pytest.raises(FileFormatError, match="FIFO"):
        load(fifo)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.py"
    with big.open("wb") as fh:  # sparse: 3 GB of size, no disk used
        fh.truncate(3 * 1024**3)
    before = _bytes_read()
    with pytest.raises(FileFormatError, match="too large"):
        from_source(big)
    assert _bytes_read() - before < 1024**2


def test_read_bytes_caps_and_decodes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    assert read_bytes(path, 5) == b"hello"
    with pytest.raises(FileFormatError, match="too large"):
        read_bytes(path, 4)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(FileFormatError, match="byte 0: not UTF-8"):
        read_text(path, 10)
    with pytest.raises(FileFormatError, match="no such file"):
        read_bytes(tmp_path / "missing", 10)
    with pytest.raises(FileFormatError, match="is a folder"):
        read_bytes(tmp_path, 10)


def test_a_corpus_is_streamed_up_to_its_cap(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.write(b"abc " * 1000)
        fh.truncate(30 * 1024**3)  # a 30 GB --data file (sparse)
    before = _bytes_read()
    text = resolve_corpus(str(big), max_bytes=2000).read_text()
    assert text.startswith("abc abc") and len(text.encode()) <= 2000
    assert _bytes_read() - before < 1024**2  # what the cap allows, never 30 GB


def test_corpus_refuses_a_fifo_inside_its_file_list(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(OLMError, match="cannot read corpus file .*FIFO"):
        Corpus("x", (Path(fifo),), 100).read_text()


def test_check_output_path_finds_mistakes_before_work(tmp_path):
    parent_file = tmp_path / "file"
    parent_file.write_text("x")
    with pytest.raises(OLMError, match="is a file, so"):
        check_output_path(parent_file / "out.py")
    with pytest.raises(OLMError, match="longer than"):
        check_output_path(tmp_path / ("n" * 300 + ".py"))
    with pytest.raises(OLMError, match="is a folder"):
        check_output_path(tmp_path)
    with pytest.raises(OLMError, match="must be a folder"):
        check_output_path(parent_file, folder=True)
    assert check_output_path(tmp_path / "new" / "deeper" / "ok.py") == tmp_path / "new" / "deeper" / "ok.py"


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / ("n" * 250 + ".py")  # near the name limit: the temp name is short
    atomic_write_text(target, "x = 1\n")
    assert target.read_text() == "x = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
