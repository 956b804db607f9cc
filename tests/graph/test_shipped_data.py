"""The shipped data (preset documents, catalog, leaf figures) equals what the code derives,
and opening or measuring a preset through it imports no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import CHILD_S

from olm.graph import catalog, from_source, stats, to_python, validate
from olm.graph.catalog import catalog_to_data, live_catalog
from olm.graph.shipped import expected_files
from olm.graph.source import DOCUMENTS_DIR, build_preset_graph, preset_graph
from olm.models import PRESETS

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "python tools/generate_data.py"


def _run_without_torch(code: str) -> dict:
    """Run ``code`` (which prints one JSON line) in a fresh interpreter; torch must stay out."""
    check = (
        "import sys, json\n"
        f"{code}\n"
        "bad = sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'olm.nn')))\n"
        "print(json.dumps({'result': result, 'loaded': bad}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=CHILD_S,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["loaded"] == [], f"imported {data['loaded'][:5]}"
    return data["result"]


def test_shipped_files_equal_what_the_code_derives():
    expected = expected_files()
    stale = [
        str(path.relative_to(ROOT)) for path, text in expected.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"shipped data is stale; run `{REGENERATE}`"
    shipped = {p.name for p in DOCUMENTS_DIR.glob("*.olm.json")}
    assert shipped == {f"{name}.olm.json" for name in PRESETS}


def test_the_shipped_catalog_equals_the_live_one():
    live = catalog_to_data(live_catalog())
    from olm.graph.catalog import _shipped_catalog

    shipped = _shipped_catalog()
    assert shipped is not None
    assert catalog_to_data(shipped) == live
    assert shipped.get("RMSNorm").cls is live_catalog().get("RMSNorm").cls


@pytest.mark.parametrize("name", ["GPT2", "Llama3_1_8B", "Mixtral_8x7B", "Gemma2_2B"])
def test_a_shipped_document_equals_the_built_preset_with_fresh_ids(name):
    first, second = preset_graph(name), preset_graph(name)
    assert first == build_preset_graph(name)
    assert first.name == name
    assert not set(first.nodes) & set(second.nodes)  # every open gets its own node ids


def test_opening_and_measuring_every_preset_imports_no_torch():
    code = (
        "from olm.graph import from_source, stats, validate, to_python\n"
        "from olm.models import PRESETS\n"
        "result = {}\n"
        "for name in PRESETS:\n"
        "    g = from_source(name)\n"
        "    s = stats(g, seq_len=512).to_dict(); s.pop('nodes')\n"
        "    result[name] = [s, [d.to_dict() for d in validate(g)], len(to_python(g))]\n"
    )
    without_torch = _run_without_torch(code)
    assert set(without_torch) == set(PRESETS)
    for name, (figures, diagnostics, source_len) in without_torch.items():
        graph = from_source(name)
        live = stats(graph, seq_len=512).to_dict()
        live.pop("nodes")
        assert figures == live, name
        assert figures["total_params"] == PRESETS[name].params
        assert diagnostics == [d.to_dict() for d in validate(graph)] == []
        assert source_len == len(to_python(graph))


def test_olm_info_of_a_preset_imports_no_torch(capsys):
    code = (
        "import contextlib, io\n"
        "from olm.cli.main import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    rc = main(['info', 'GPT2', '--json'])\n"
        "result = [rc, json.loads(buf.getvalue())]\n"
    )
    rc, info = _run_without_torch(code)
    assert rc == 0
    from olm.cli.info import report

    expected = json.loads(json.dumps(report("GPT2")))
    for part in info["parts"] + expected["parts"]:
        part.pop("node_id")  # fresh ids on every open
    assert info == expected
    assert info["stats"]["total_params"] == PRESETS["GPT2"].params


def test_needs_torch_tells_a_shipped_preset_from_an_edited_one():
    code = (
        "from olm.graph import from_source\n"
        "from olm.graph.facts import needs_torch\n"
        "g = from_source('Llama3_2_1B')\n"
        "before = needs_torch(g)\n"
        "g.variables['hidden_dim'] = 4096\n"
        "result = [before, needs_torch(g)]\n"
    )
    assert _run_without_torch(code) == [False, True]


def test_the_catalog_and_the_preset_table_need_no_torch():
    code = (
        "from olm.graph import catalog\n"
        "from olm.models import PRESETS\n"
        "c = catalog()\n"
        "result = [len(c), c.get('GroupedQueryAttention').family, PRESETS['GPT2'].params]\n"
    )
    assert _run_without_torch(code) == [
        len(catalog()), "attention", PRESETS["GPT2"].params,
    ]


def test_an_edited_preset_is_measured_from_its_built_module():
    import torch

    from olm.graph import build

    graph = from_source("GPT2")
    graph.variables["embed_dim"] = 96  # a leaf the shipped table has never seen
    figures = stats(graph)
    assert validate(graph) == []
    with torch.device("meta"):
        model = build(graph)
    assert figures.complete
    assert figures.total_params == sum(p.numel() for p in model.parameters())
    assert figures.total_params < PRESETS["GPT2"].params
