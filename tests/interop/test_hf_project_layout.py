"""``olm import-hf`` output: the checkpoint layout's names, staged beside the output."""

from __future__ import annotations

from types import SimpleNamespace

import torch

import olm.interop.hf.project as project
from olm.data.tokenizers import ByteTokenizer
from olm.models import Llama3Model
from olm.store import layout
from olm.store.checkpoint import load, verify


def _imported(tokenizer=None) -> SimpleNamespace:
    torch.manual_seed(0)
    return SimpleNamespace(model=Llama3Model(64, 32, 48, 2, 4, 2, 64).eval(), tokenizer=tokenizer)


def test_a_project_file_is_staged_in_its_own_folder(tmp_path, monkeypatch):
    """Staging beside the output (not in its parent) works under a read-only parent and
    never renames across mounts (issue 11 item 7)."""
    staged_in = []
    real = project._write_files

    def spy(imported, graph_doc, paths):
        staged_in.append(paths["graph"].parent.parent)
        real(imported, graph_doc, paths)

    monkeypatch.setattr(project, "_write_files", spy)
    out = tmp_path / "proj" / "tiny.olm.json"
    written = project.write_project(_imported(ByteTokenizer()), out)
    assert staged_in == [out.parent]
    assert written == layout.project_paths(out)
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "tiny.olm.json", "tiny.safetensors", "tiny.tokenizer"]


def test_a_checkpoint_folder_is_a_verified_checkpoint(tmp_path):
    imported = _imported(ByteTokenizer())
    written = project.write_project(imported, tmp_path / "ckpt")
    assert written == layout.project_paths(tmp_path / "ckpt")
    verify(tmp_path / "ckpt")
    loaded = load(tmp_path / "ckpt")
    ids = torch.randint(0, 64, (1, 5))
    with torch.no_grad():
        torch.testing.assert_close(loaded.model.eval()(ids), imported.model(ids))
    assert loaded.tokenizer is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
