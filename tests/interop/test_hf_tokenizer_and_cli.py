"""Tokenizer files `transformers` reads, and the ``olm import-hf`` command."""

from __future__ import annotations

import json

import pytest
import torch
import transformers as T
from hf_tiny import cases, prompt, randomize, save_hf_checkpoint
from safetensors.torch import load_model

import olm.graph
from olm.cli.main import main
from olm.core.errors import OLMError
from olm.data.tokenizers import ByteTokenizer, load_tokenizer_dir, train_bpe
from olm.interop.hf import load_hf, read_hf, save_hf
from olm.models import Llama3Model

CASES = {c.name: c for c in cases()}
TEXT = "def add(a, b):\n    return a + b  # héllo wörld ✓\n"


def _bpe():
    return train_bpe([TEXT * 3, "import os\nprint('hello world')\n" * 5], vocab_size=300)


@pytest.mark.parametrize("make", [_bpe, ByteTokenizer], ids=["bpe", "byte"])
def test_tokenizer_written_for_autotokenizer(make, tmp_path):
    tok = make()
    model = Llama3Model(320, 32, 48, 2, 4, 2, 64)
    save_hf(model, tmp_path / "out", tokenizer=tok)
    hf_tok = T.AutoTokenizer.from_pretrained(tmp_path / "out")
    expected = tok.encode_ids(TEXT).tolist()
    assert hf_tok(TEXT, add_special_tokens=False)["input_ids"] == expected
    assert hf_tok.decode(expected) == TEXT
    back = read_hf(tmp_path / "out").tokenizer
    assert back.encode_ids(TEXT).tolist() == expected


def test_end_of_text_token_becomes_eos(tmp_path):
    tok = _bpe()
    save_hf(Llama3Model(320, 32, 48, 2, 4, 2, 64), tmp_path / "out", tokenizer=tok)
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    eot = tok.tokenizer.token_to_id("<|endoftext|>")
    assert config["eos_token_id"] == eot == config["bos_token_id"]


def test_tokenizer_larger_than_vocabulary_is_refused(tmp_path):
    with pytest.raises(
        OLMError, match="tokenizer has 300 tokens but the model's vocabulary only 64"
    ):
        save_hf(Llama3Model(64, 32, 48, 2, 4, 2, 64), tmp_path / "out", tokenizer=_bpe())
    assert list(tmp_path.iterdir()) == []


def test_import_hf_writes_project_and_weights(tmp_path, capsys):
    hf = save_hf_checkpoint(CASES["gemma2"].config, tmp_path / "hf")
    out = tmp_path / "proj" / "gemma.olm.json"
    assert main(["import-hf", str(tmp_path / "hf"), "-o", str(out)]) == 0
    assert "Gemma2ForCausalLM" in capsys.readouterr().out
    weights = tmp_path / "proj" / "gemma.safetensors"
    assert out.is_file() and weights.is_file()
    model = olm.graph.build(olm.graph.load(out)).eval()
    load_model(model, str(weights))
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(model(ids), hf(ids).logits, atol=1e-4, rtol=0)


def test_import_hf_of_a_composed_model_round_trips_through_the_graph(tmp_path):
    hf = save_hf_checkpoint(CASES["llama_biases"].config, tmp_path / "hf")
    out = tmp_path / "biased.olm.json"
    assert main(["import-hf", str(tmp_path / "hf"), "-o", str(out)]) == 0
    model = olm.graph.build(olm.graph.load(out)).eval()
    load_model(model, str(tmp_path / "biased.safetensors"))
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(model(ids), hf(ids).logits, atol=1e-4, rtol=0)


def test_import_hf_checkpoint_folder_generates(tmp_path, capsys):
    model = randomize(Llama3Model(320, 32, 48, 2, 4, 2, 64)).eval()
    save_hf(model, tmp_path / "hf", tokenizer=_bpe())
    assert main(["import-hf", str(tmp_path / "hf"), "-o", str(tmp_path / "ckpt")]) == 0
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == [
        "manifest.json",
        "model.olm.json",
        "model.safetensors",
        "tokenizer",
    ]
    capsys.readouterr()
    args = [
        "generate",
        str(tmp_path / "ckpt"),
        "--prompt",
        "def ",
        "--max-new-tokens",
        "5",
        "--temperature",
        "0",
        "--device",
        "cpu",
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("def ")


def test_import_hf_project_keeps_the_tokenizer_beside_it(tmp_path):
    tok = _bpe()
    save_hf(Llama3Model(320, 32, 48, 2, 4, 2, 64), tmp_path / "hf", tokenizer=tok)
    assert main(["import-hf", str(tmp_path / "hf"), "-o", str(tmp_path / "p.olm.json")]) == 0
    back = load_tokenizer_dir(tmp_path / "p.tokenizer")
    assert back.encode_ids(TEXT).tolist() == tok.encode_ids(TEXT).tolist()
    assert (tmp_path / "p.safetensors").is_file()


def test_import_hf_error_is_one_line(tmp_path, capsys):
    save_hf_checkpoint(CASES["qwen2"].config, tmp_path / "hf")
    (tmp_path / "hf" / "model.safetensors").unlink()
    capsys.readouterr()  # transformers' own progress output
    assert main(["import-hf", str(tmp_path / "hf"), "-o", str(tmp_path / "x.olm.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("olm import-hf: error:") and "no model.safetensors" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "x.olm.json").exists()


def test_read_hf_graph_builds_the_same_structure(tmp_path):
    save_hf_checkpoint(CASES["mixtral"].config, tmp_path)
    imported = read_hf(tmp_path)
    rebuilt = olm.graph.build(imported.graph)
    a, b = imported.model.state_dict(), rebuilt.state_dict()
    assert {k: v.shape for k, v in a.items()} == {k: v.shape for k, v in b.items()}
    assert torch.equal(
        load_hf(tmp_path).state_dict()["blocks.0.embedding.weight"], a["blocks.0.embedding.weight"]
    )
