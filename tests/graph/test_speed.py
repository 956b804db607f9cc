"""Generous bounds on the graph speed figures (benchmarks/graph_speed.py prints the real ones).

The targets are 50 ms / 1 s / 100 ms; the bounds here are several times looser so a busy
2-core CI machine does not fail them, while a pathological slowdown still does.
"""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

pytestmark = pytest.mark.slow

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "graph_speed.py"


def test_llama3_405b_document_is_fast():
    spec = importlib.util.spec_from_file_location("graph_speed", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.measure(repeats=1, baseline=False)
    assert figures["validate+stats"] < 500
    assert figures["build(meta)"] < 8000
    assert figures["to_python+from_python"] < 1000
