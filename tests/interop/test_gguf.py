"""GGUF, read-only (issue 14.5): a tiny model written with the ``gguf`` writer the way
llama.cpp's converter writes it (q/k rows permuted, tokenizer as token list + merges,
chat template), read back by olm: logits match the source."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch
from chat_tiny import MESSAGES, TEMPLATE, chat_prompt, make_chat_folder

from olm.cli.main import main
from olm.data.chat import chat_ids
from olm.interop.gguf import read_gguf, unpermute_rows
from olm.store.pretrained import open_pretrained

gguf = pytest.importorskip("gguf", reason="the optional gguf package (olm-studio[gguf]) is not installed")

_LAYER = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q",
          "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
          "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
          "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}


def _permute(w: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp convert_hf_to_gguf.py's LlamaModel.permute."""
    return (w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def write_gguf(model, tok, path, quant=None):
    """Write an HF Llama + fast tokenizer as a GGUF file (the llama.cpp conventions)."""
    cfg = model.config
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_rope_freq_base(float(cfg.rope_parameters["rope_theta"]) if getattr(
        cfg, "rope_parameters", None) else float(cfg.rope_theta))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    vocab = tok.backend_tokenizer.get_vocab(with_added_tokens=True)
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    special = {t.content for t in tok.backend_tokenizer.get_added_tokens_decoder().values()
               if t.special}
    added = {t.content for t in tok.backend_tokenizer.get_added_tokens_decoder().values()}
    types = [3 if t in special else 4 if t in added else 1 for t in tokens]
    merges = json.loads(tok.backend_tokenizer.to_str())["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(cfg.bos_token_id)
    w.add_eos_token_id(cfg.eos_token_id)
    w.add_pad_token_id(cfg.pad_token_id)
    w.add_eot_token_id(tok.convert_tokens_to_ids("<|eot_id|>"))
    w.add_chat_template(TEMPLATE)
    for name, t in model.state_dict().items():
        a = t.detach().float().numpy()
        if name == "model.embed_tokens.weight":
            out = "token_embd.weight"
        elif name == "model.norm.weight":
            out = "output_norm.weight"
        elif name == "lm_head.weight":
            out = "output.weight"
        else:
            i, rest = name.removeprefix("model.layers.").split(".", 1)
            part, _ = rest.rsplit(".", 1)
            out = f"blk.{i}.{_LAYER[part]}.weight"
            if part == "self_attn.q_proj":
                a = _permute(a, cfg.num_attention_heads)
            elif part == "self_attn.k_proj":
                a = _permute(a, cfg.num_key_value_heads)
        if quant is not None and a.ndim == 2 and a.shape[-1] % 32 == 0:
            w.add_tensor(out, gguf.quants.quantize(a, quant), raw_dtype=quant)
        else:
            w.add_tensor(out, np.ascontiguousarray(a))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    root = tmp_path_factory.mktemp("gguf")
    model, tok = make_chat_folder(root / "hf")
    return root, model, tok


def test_unpermute_inverts_the_llama_cpp_permutation():
    w = torch.randn(16, 8)
    assert torch.equal(unpermute_rows(torch.from_numpy(_permute(w.numpy(), 2)), 2), w)


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
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    from olm.core.errors import OLMError

    with pytest.raises(OLMError, match="GGUF architecture 'mamba' is not one olm reads"):
        read_gguf(tmp_path / "x.gguf")
