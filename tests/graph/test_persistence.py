"""Checkpoint folders: Block.save / load round trip with no pickle anywhere."""

from __future__ import annotations

import json

import pytest
import torch

from olm.core.errors import FileFormatError
from olm.data import ByteTokenizer
from olm.store.checkpoint import Checkpoint, load


@pytest.mark.parametrize("tiny_family", ["gpt2", "mixtral"])
def test_save_then_load_gives_the_same_model(tiny_family, tmp_path, tiny):
    model = tiny.model(tiny_family).eval()
    model.save(tmp_path / "ckpt")
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == ["manifest.json", "model.olm.json", "model.safetensors"]
    assert json.loads((tmp_path / "ckpt" / "model.olm.json").read_text())["format"] == 1
    loaded = load(tmp_path / "ckpt")
    assert isinstance(loaded, Checkpoint) and loaded.tokenizer is None and loaded.state == {}
    again = loaded.model.eval()
    ids = torch.randint(0, tiny.vocab, (2, 6))
    with torch.no_grad():
        torch.testing.assert_close(again(ids), model(ids), rtol=0, atol=0)


def test_there_is_one_loader(tmp_path):
    """The nn layer no longer carries its own checkpoint loader (issue 10: one owner)."""
    import olm.nn.structure as structure

    assert not hasattr(structure, "load") and not hasattr(structure, "load_model")


def test_tied_weights_are_stored_once_and_stay_tied(tmp_path, tiny):
    model = tiny.model("gpt2")
    model.save(tmp_path)
    from safetensors import safe_open

    with safe_open(str(tmp_path / "model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert sum(k.split(".")[-2:] == ["embedding", "weight"] for k in keys) == 1
    again = load(tmp_path).model
    assert again.blocks[-1].weight is again.blocks[0].weight


def test_tokenizer_is_saved_and_returned(tmp_path, tiny):
    model = tiny.model("llama3")
    model.save(tmp_path, tokenizer=ByteTokenizer())
    checkpoint = load(tmp_path)
    loaded, tokenizer = checkpoint.model, checkpoint.tokenizer
    assert isinstance(tokenizer, ByteTokenizer)
    assert tokenizer.decode(tokenizer.encode("héllo")) == "héllo"
    assert isinstance(loaded, torch.nn.Module)


def test_bad_folders(tmp_path, tiny):
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(NotADirectoryError):
        tiny.model("llama3").save(file)
    (tmp_path / "pickled").mkdir()
    (tmp_path / "pickled" / "model.pt").write_bytes(b"\x80\x04")
    with pytest.raises(FileFormatError, match="never loads"):
        load(tmp_path / "pickled")
    with pytest.raises(FileFormatError, match="not a checkpoint folder"):
        load(tmp_path / "absent")
    model = tiny.model("llama3")
    model.save(tmp_path / "ckpt")
    (tmp_path / "ckpt" / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(FileFormatError, match="model.safetensors is corrupt"):
        load(tmp_path / "ckpt")  # the manifest's checksum catches it first
    # Without a manifest (folders written before checksums) the weights are still checked.
    (tmp_path / "ckpt" / "manifest.json").unlink()
    with pytest.raises(FileFormatError, match="cannot be read"):
        load(tmp_path / "ckpt")
    tiny.model("qwen2").save(tmp_path / "other")
    (tmp_path / "other" / "manifest.json").unlink()
    (tmp_path / "other" / "model.olm.json").write_text((tmp_path / "ckpt" / "model.olm.json").read_text())
    with pytest.raises(FileFormatError, match="does not match"):
        load(tmp_path / "other")
