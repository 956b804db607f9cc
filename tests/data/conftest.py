"""Fixtures for the data tests: a private token cache and a small corpus."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "olm-cache"))


@pytest.fixture
def corpus_file(tmp_path) -> Path:
    root = Path(sysconfig.get_paths()["stdlib"])
    path = tmp_path / "corpus.txt"
    path.write_text((root / "textwrap.py").read_text() + (root / "shlex.py").read_text())
    return path
