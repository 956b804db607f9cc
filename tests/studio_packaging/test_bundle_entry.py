"""The bundle's entry point and the frozen training command, without building the bundle."""

import subprocess
import sys
from pathlib import Path

from waiting import CHILD_S

ENTRY = Path(__file__).resolve().parents[2] / "packaging" / "bundle_entry.py"


def test_frozen_studio_runs_olm_through_its_own_executable(monkeypatch):
    from olm_studio.training import runner

    assert runner.olm_command() == [sys.executable, "-m", "olm"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/olm-studio/olm-studio")
    assert runner.olm_command() == ["/opt/olm-studio/olm-studio", "--olm"]


def _entry(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the bundle's entry with ``args`` in a fresh Python; it prints at the end whether
    Qt was loaded and the exit code (``QT False RC 0``)."""
    code = (f"import runpy, sys; sys.argv = ['olm-studio', *{list(args)!r}];\n"
            "try:\n    runpy.run_path(sys.argv_path, run_name='__main__')\n"
            "except SystemExit as e:\n    rc = e.code\n"
            "print('QT', any(m.startswith('PySide6') for m in sys.modules), 'RC', rc)")
    code = code.replace("sys.argv_path", repr(str(ENTRY)))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          input=stdin, timeout=CHILD_S)


def test_entry_dispatches_olm_without_loading_qt():
    done = _entry("--olm", "info", "GPT2")
    assert done.returncode == 0, done.stderr
    assert "QT False RC 0" in done.stdout and "GPT2" in done.stdout
    done = subprocess.run([sys.executable, str(ENTRY), "--olm", "info", "NoSuchModel"],
                          capture_output=True, text=True, timeout=CHILD_S)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_frozen_studio_starts_its_check_process_through_its_own_executable(monkeypatch):
    from olm_studio.checker.client import server_command

    assert server_command() == [sys.executable, "-m", "olm_studio.checker.server"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/olm-studio/olm-studio")
    assert server_command() == ["/opt/olm-studio/olm-studio", "--olm-checks"]


def test_entry_serves_checks_without_loading_qt():
    done = _entry("--olm-checks", stdin='{"id": 1, "kind": "nothing"}\n')
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == '{"ready": true}' and '"id": 1' in lines[1] and "unknown check" in lines[1]
    assert "QT False RC 0" in done.stderr  # a print after serving never reaches the replies
