"""Round trips on every preset, on the meta device: module → document → module/Python/file."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from graph_helpers import shapes, unique_params
from waiting import CHILD_S

from olm.graph import build, from_module, from_python, load, save, to_python
from olm.models import PRESETS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_round_trips(name, tmp_path):
    with torch.device("meta"):
        model = PRESETS[name].cls()
    graph = from_module(model)

    # build(from_module(m)) has the same structure as m
    built = build(graph, device="meta")
    assert shapes(built) == shapes(model)
    assert unique_params(built) == PRESETS[name].params

    # the printed Python, run, builds that same structure
    source = to_python(graph)
    namespace: dict = {"__name__": "exported"}
    with torch.device("meta"):
        exec(compile(source, f"{name}.py", "exec"), namespace)
    assert shapes(namespace["model"]) == shapes(model)
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP",
         "--stdin-filename", f"{name}.py", "-"],
        input=source, capture_output=True, text=True, timeout=CHILD_S)
    assert lint.returncode == 0, lint.stdout

    # from_python(to_python(g)) == g and load(save(g)) == g
    assert from_python(source) == graph
    path = save(graph, tmp_path / f"{name}.olm.json")
    assert load(path) == graph
