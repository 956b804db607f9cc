"""Every user mistake on the command line is one line, exit status 2 (issue 11, item 8).

``--debug`` (anywhere on the line) shows the traceback instead; a bug in olm (an
exception that is not a user mistake) is still one line, exit status 1, pointing at
``--debug``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import CHILD_S

import olm.cli.export as export_cli
from olm.cli.main import main

pytestmark = pytest.mark.timeout(120)


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` made read-only for this process, even when the tests run as root."""
    folder.mkdir(exist_ok=True)
    folder.chmod(0o555)
    immutable = False
    if os.access(folder, os.W_OK) and shutil.which("chattr"):  # root ignores modes
        immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, timeout=CHILD_S).returncode == 0
    assert not os.access(folder, os.W_OK), "could not make a read-only folder here"
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True, timeout=CHILD_S)
        folder.chmod(0o755)


def _one_line_error(capsys, *words: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


def test_export_into_a_read_only_folder(tmp_path, capsys):
    with read_only(tmp_path / "ro") as folder:
        assert main(["export", "GPT2", "--to", "python", "-o", str(folder / "m.py")]) == 2
        _one_line_error(capsys, "not writable", str(folder))
        assert main(["export", "GPT2", "--to", "project", "-o", str(folder / "sub" / "m.olm.json")]) == 2
        _one_line_error(capsys, "not writable")
        assert list(folder.iterdir()) == []


def test_a_write_that_fails_late_is_still_one_line(tmp_path, capsys, monkeypatch):
    # Past the up-front check (say the folder turned read-only meanwhile): the OSError
    # still ends in one line naming the file and the reason.
    monkeypatch.setattr(export_cli, "check_output_path", lambda *a, **k: None)
    with read_only(tmp_path / "ro") as folder:
        assert main(["export", "GPT2", "--to", "python", "-o", str(folder / "m.py")]) == 2
        _one_line_error(capsys, str(folder))


def test_export_under_a_parent_that_is_a_file(tmp_path, capsys):
    parent = tmp_path / "file.txt"
    parent.write_text("not a folder")
    assert main(["export", "GPT2", "--to", "python", "-o", str(parent / "m.py")]) == 2
    _one_line_error(capsys, "is a file")
    assert main(["export", "GPT2", "--to", "hf", "-o", str(parent), "--force"]) == 2
    _one_line_error(capsys, "must be a folder")


def test_export_with_a_300_character_name(tmp_path, capsys):
    out = tmp_path / ("m" * 300 + ".py")
    assert main(["export", "GPT2", "--to", "python", "-o", str(out)]) == 2
    _one_line_error(capsys, "longer than")


def test_a_name_near_the_limit_still_exports(tmp_path, capsys):
    out = tmp_path / ("m" * 240 + ".py")
    assert main(["export", "GPT2", "--to", "python", "-o", str(out)]) == 0
    assert out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [out.name]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["info", "NoSuchPreset"], ["neither a file nor a preset"]),
        (["info", "missing.olm.json"], ["no such file"]),
        (["export", "GPT2", "--to", "python", "-o", "."], ["is a folder"]),
        (["info", "GPT2", "--seq-len", "0"], ["seq_len"]),
    ],
)
def test_user_mistakes_are_one_line_exit_2(tmp_path, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    _one_line_error(capsys, *words)


def test_debug_shows_the_traceback(tmp_path, capsys):
    argv = ["info", str(tmp_path / "missing.olm.json")]
    assert main(["--debug", *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "no such file" in err
    assert main([*argv, "--debug"]) == 2  # anywhere on the line
    assert "Traceback" in capsys.readouterr().err


def test_a_bug_is_one_line_exit_1_pointing_at_debug(capsys, monkeypatch):
    def broken(args):
        raise KeyError("oops")

    monkeypatch.setattr("olm.cli.info.run", broken)
    assert main(["info", "GPT2"]) == 1
    _one_line_error(capsys, "internal error", "--debug")


def test_a_line_break_in_a_message_stays_one_line(tmp_path, capsys):
    assert main(["info", str(tmp_path / "a\nb.olm.json")]) == 2
    _one_line_error(capsys, "no such file")


def test_the_real_entry_point_prints_no_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = tmp_path / "f"
    parent.write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "olm", "export", "GPT2", "--to", "python", "-o", str(parent / "m.py")],
        capture_output=True, text=True, timeout=CHILD_S, env=env,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "argv", [["info"], ["info", "GPT2", "--seq-len", "x"], ["export", "GPT2", "--to", "pdf", "-o", "x"], ["nope"]]
)
def test_argument_mistakes_are_one_line_too(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    _one_line_error(capsys, "error:", "--help")
