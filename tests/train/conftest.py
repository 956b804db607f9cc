"""Fixtures for the training tests: a private token cache, a small corpus, tiny models."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tiny_models, also for subprocesses


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    # one cache per session: tests never touch the user's cache, yet share tokenized data
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "olm-cache"))


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory) -> Path:
    """About 60 kB of Python source (from the standard library), as one text file."""
    import sysconfig

    root = Path(sysconfig.get_paths()["stdlib"])
    text = "\n\n".join((root / name).read_text() for name in ("textwrap.py", "shlex.py", "bisect.py"))
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text(text[:60_000])
    return path
