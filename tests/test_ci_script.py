"""CI lints the whole project: ``ruff check .`` runs after the install and before the tests."""

from pathlib import Path

CI = Path(__file__).resolve().parents[1] / ".ci" / "run"


def test_ci_runs_ruff_on_the_project_before_pytest():
    lines = [line.strip() for line in CI.read_text(encoding="utf-8").splitlines()]
    install = next(i for i, line in enumerate(lines) if "pip install" in line and ".[test]" in line)
    ruff = lines.index("ruff check .")
    pytest_ = next(i for i, line in enumerate(lines) if line.startswith("python -m pytest"))
    assert install < ruff < pytest_
