"""GGUF, read-only (issue 14.5): a tiny model written with the ``gguf`` writer the way
llama.cpp's converter writes it (q/k rows permuted, tokenizer as token list + merges,
chat template), read back by olm: logits match the source."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from chat_tiny import MESSAGES, TEMPLATE, chat_prompt, make_chat_folder
from gguf_tiny import finish, permute, write_gguf

from olm.cli.main import main
from olm.data.chat import chat_ids
from olm.interop.gguf import read_gguf, unpermute_rows
from olm.store.pretrained import open_pretrained

gguf = pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")

@pytest.fixture(scope="module")
def source(tmp_path_factory):
    root = tmp_path_factory.mktemp("gguf")
    model, tok = make_chat_folder(root / "hf")
    return root, model, tok


def test_unpermute_inverts_the_llama_cpp_permutation():
    w = torch.randn(16, 8)
    assert torch.equal(unpermute_rows(torch.from_numpy(permute(w.numpy(), 2)), 2), w)


def test_gguf_logits_tokenizer_and_chat_template_match_the_source(source):
    root, model, tok = source
    path = write_gguf(model, tok, root / "tiny.gguf")
    imported = read_gguf(path)
    ids = chat_prompt(tok)
    with torch.no_grad():
        want = model(ids).logits
    torch.testing.assert_close(imported.model(ids), want, rtol=1e-5, atol=1e-5)
    olm_tok = imported.tokenizer
    assert olm_tok.chat_template == TEMPLATE
    assert chat_ids(olm_tok, MESSAGES).tolist() == ids[0].tolist()
    text = "hello <tool> there, the quick fox<|eot_id|>"
    assert olm_tok.encode_ids(text).tolist() == tok(text, add_special_tokens=False)["input_ids"]
    cfg = model.config
    assert olm_tok.special_ids() == {"bos_token_id": cfg.bos_token_id,
                                     "eos_token_id": cfg.eos_token_id,
                                     "pad_token_id": cfg.pad_token_id}


def test_quantised_gguf_is_dequantised(source):
    root, model, tok = source
    path = write_gguf(model, tok, root / "tiny-q8.gguf", quant=gguf.GGMLQuantizationType.Q8_0)
    imported = read_gguf(path)
    ids = chat_prompt(tok)
    with torch.no_grad():
        want = model(ids).logits
    got = imported.model(ids)
    assert not torch.equal(got, want)  # the weights really were quantised...
    rounded = copy.deepcopy(model)  # ...and are read as the source rounded to Q8_0 blocks
    q8 = gguf.GGMLQuantizationType.Q8_0
    with torch.no_grad():
        for p in rounded.parameters():
            if p.dim() == 2 and p.shape[-1] % 32 == 0:
                a = p.numpy()
                p.copy_(torch.from_numpy(gguf.quants.dequantize(gguf.quants.quantize(a, q8), q8)
                                         .reshape(a.shape)))
        torch.testing.assert_close(got, rounded(ids).logits, rtol=1e-4, atol=1e-4)


def test_gguf_opens_generates_and_imports_like_a_folder(source, tmp_path, capsys):
    root, model, tok = source
    path = write_gguf(model, tok, root / "tiny2.gguf")
    assert open_pretrained(path).kind == "gguf"
    assert main(["generate", str(path), "--chat", "--prompt", MESSAGES[0]["content"],
                 "--temperature", "0", "--max-new-tokens", "20", "--device", "cpu"]) == 0
    ids = chat_prompt(tok)
    with torch.no_grad():
        want = model.generate(ids, max_new_tokens=20)
    assert capsys.readouterr().out == tok.decode(want[0, ids.size(1):],
                                                 skip_special_tokens=True) + "\n"
    assert main(["import-hf", str(path), "-o", str(tmp_path / "m.olm.json")]) == 0
    assert open_pretrained(tmp_path / "m.olm.json").tokenizer.chat_template == TEMPLATE


def test_unsupported_architecture_is_named(tmp_path):
    w = gguf.GGUFWriter(str(tmp_path / "x.gguf"), "mamba")
    w.add_tensor("token_embd.weight", np.zeros((4, 4), dtype=np.float32))
    finish(w)
    from olm.core.errors import OLMError

    with pytest.raises(OLMError, match="GGUF architecture 'mamba' is not one olm reads"):
        read_gguf(tmp_path / "x.gguf")
