"""``olm info`` and ``olm export`` take a GGUF file or a Hugging Face folder as SOURCE
(issue 25.5): they describe it from its metadata without reading weights, and a damaged
one is one line, exit status 2, with the real reason (not "too large for a project file")."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gguf_tiny import tensors, write_tiny_gguf
from hf_tiny import cases, save_hf_checkpoint
from safetensors import safe_open

from olm.cli.main import main
from olm.core.errors import OLMError
from olm.graph import from_python, from_source, stats

pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")


def _info(capsys, source) -> dict:
    assert main(["info", str(source), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_describes_a_gguf_file_without_reading_its_weights(tmp_path, capsys, monkeypatch):
    import gguf

    path = write_tiny_gguf(tmp_path / "tiny.gguf")
    monkeypatch.setattr(gguf.quants, "dequantize", lambda *a: pytest.fail("weights were read"))
    info = _info(capsys, path)
    assert info["stats"]["total_params"] == sum(a.size for a in tensors().values())
    assert info["diagnostics"] == []


def test_info_describes_a_hugging_face_folder(tmp_path, capsys):
    case = next(c for c in cases() if c.name == "llama_gqa_untied")
    save_hf_checkpoint(case.config, tmp_path)
    with safe_open(str(tmp_path / "model.safetensors"), framework="pt") as f:
        stored = sum(int(np.prod(f.get_slice(k).get_shape())) for k in f.keys())
    assert _info(capsys, tmp_path)["stats"]["total_params"] == stored


def test_export_writes_the_python_of_a_gguf_file(tmp_path, capsys):
    path = write_tiny_gguf(tmp_path / "tiny.gguf")
    out = tmp_path / "tiny.py"
    assert main(["export", str(path), "--to", "python", "-o", str(out)]) == 0
    graph = from_python(out.read_text(), filename=str(out))
    assert stats(graph).total_params == sum(a.size for a in tensors().values())


@pytest.mark.parametrize("content", [b"", b"not a gguf file at all", b"GGUF\x03\x00\x00\x00"])
def test_a_damaged_gguf_is_one_line_with_the_reason(tmp_path, capsys, content):
    path = tmp_path / "x.gguf"
    path.write_bytes(content)
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable GGUF file" in err, err
    assert "project file" not in err


def test_a_hugging_face_folder_with_huge_sizes_is_refused_by_info(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps(
        {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 64,
         "n_layer": 2147483648}))
    assert main(["info", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'n_layer' = 2,147,483,648 is out of range" in err, err


def test_the_graph_layer_names_what_it_cannot_read(tmp_path):
    path = write_tiny_gguf(tmp_path / "tiny.gguf")
    with pytest.raises(OLMError, match="is a GGUF file, not an olm architecture document"):
        from_source(path)
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text("{}")
    with pytest.raises(OLMError, match="is a Hugging Face folder, not an olm architecture"):
        from_source(tmp_path / "hf")
