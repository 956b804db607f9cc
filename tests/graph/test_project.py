"""Project files: round trip, atomic writes, migrations, and files that must be refused."""

from __future__ import annotations

import json

import pytest

from olm.core.errors import FileFormatError
from olm.graph import from_module, load, save
from olm.graph import project as project_module


@pytest.fixture
def graph(tiny):
    return from_module(tiny.model("gpt2"))


def test_round_trip_keeps_the_document_and_the_layout(graph, tmp_path):
    node = graph.nodes[graph.root].children[0]
    graph.layout[node] = {"pos": [10.5, -3.0], "collapsed": True}
    path = save(graph, tmp_path / "m.olm.json")
    again = load(path)
    assert again == graph
    assert again.layout == graph.layout
    assert again.to_dict() == graph.to_dict()  # same ids, too
    data = json.loads(path.read_text())
    assert data["format"] == 1 and set(data) == {"format", "graph", "layout"}


def test_equality_ignores_layout_and_ids(graph, tiny):
    other = from_module(tiny.model("gpt2"))
    assert set(other.nodes).isdisjoint(graph.nodes)
    other.layout["x"] = {"pos": [1, 2]}
    assert other == graph
    other.variables["embed_dim"] = 16
    assert other != graph


def test_write_is_atomic(graph, tmp_path, monkeypatch):
    path = save(graph, tmp_path / "m.olm.json")
    before = path.read_text()

    monkeypatch.setattr(project_module.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        save(graph, path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.olm.json"]


def test_migration_hook_upgrades_old_files(graph, tmp_path, monkeypatch):
    path = save(graph, tmp_path / "m.olm.json")
    data = json.loads(path.read_text())
    data["format"] = 1
    data["graph"]["variables"]["old_name"] = data["graph"]["variables"].pop("embed_dim")
    path.write_text(json.dumps(data))

    def rename(old):
        old["graph"]["variables"]["embed_dim"] = old["graph"]["variables"].pop("old_name")
        old["format"] = 2
        return old

    monkeypatch.setattr(project_module, "FORMAT", 2)
    monkeypatch.setitem(project_module.MIGRATIONS, 1, rename)
    assert load(path) == graph


def _bad(tmp_path, text: str | bytes):
    path = tmp_path / "bad.olm.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(FileFormatError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_corrupt_truncated_future_and_hostile_files(graph, tmp_path):
    good = json.dumps({"format": 1, "graph": graph.to_dict(), "layout": {}})
    assert "truncated" in _bad(tmp_path, good[: len(good) // 2])
    assert "line 1" in _bad(tmp_path, "{format: 1}")
    assert "newer" in _bad(tmp_path, good.replace('"format": 1', '"format": 99'))
    assert "not an olm project" in _bad(tmp_path, json.dumps({"graph": {}}))
    assert "UTF-8" in _bad(tmp_path, b"\xff\xfe{}")
    assert "not valid project data" in _bad(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert "NaN" in _bad(tmp_path, good.replace('"format": 1', '"format": 1, "x": NaN'))
    hostile = json.loads(good)
    root = hostile["graph"]["root"]
    hostile["graph"]["nodes"][root]["children"].append(root)  # a container inside itself
    assert "two places" in _bad(tmp_path, json.dumps(hostile))
    hostile = json.loads(good)
    hostile["graph"]["nodes"][root]["params"] = ["not", "a", "dict"]
    assert f"graph.nodes.{root}.params" in _bad(tmp_path, json.dumps(hostile))
    hostile = json.loads(good)
    hostile["graph"]["nodes"][root]["wires"] = [["a", "b"]]
    assert "wires[0]" in _bad(tmp_path, json.dumps(hostile))
    hostile = json.loads(good)
    hostile["graph"]["root"] = "nowhere"
    assert "graph.root" in _bad(tmp_path, json.dumps(hostile))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileFormatError, match="no such file"):
        load(tmp_path / "absent.olm.json")
    with pytest.raises(FileFormatError, match="no such file"):
        load(tmp_path)  # a folder without model.olm.json
