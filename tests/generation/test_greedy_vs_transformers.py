"""Cached greedy decoding picks exactly the tokens `transformers` picks for the same weights.

Tiny models are built locally with `transformers` (nothing downloaded), saved with
``save_pretrained`` and imported with ``olm.interop.hf.load_hf``; the decoding path under
test is the fast one (fused q/k/v, one-token steps without masks, the RoPE table).
"""

from __future__ import annotations

import pytest
import torch
import transformers as T

from olm.generation import greedy
from olm.interop.hf import load_hf

VOCAB = 96
_NO_SPECIAL = dict(bos_token_id=None, eos_token_id=None, pad_token_id=None)

CONFIGS = {
    "llama_gqa": lambda: T.LlamaConfig(
        vocab_size=VOCAB, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
        tie_word_embeddings=False, **_NO_SPECIAL,
    ),
    "qwen2_bias": lambda: T.Qwen2Config(
        vocab_size=VOCAB, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=64,
        tie_word_embeddings=False, **_NO_SPECIAL,
    ),
    "gpt2": lambda: T.GPT2Config(
        vocab_size=VOCAB, n_embd=32, n_layer=2, n_head=4, n_positions=64, **_NO_SPECIAL
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_greedy_tokens_equal_transformers_generate(name, tmp_path):
    torch.manual_seed(0)
    hf = T.AutoModelForCausalLM.from_config(CONFIGS[name](), attn_implementation="sdpa")
    with torch.no_grad():  # weights large enough that the argmax is never a near tie
        for p in hf.parameters():
            p.normal_(0.0, 0.3 if p.dim() >= 2 else 0.1)
    hf.save_pretrained(tmp_path)
    hf.eval()
    ours = load_hf(tmp_path)
    ids = torch.randint(0, VOCAB, (2, 5), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = hf.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=20,
                           min_new_tokens=20, do_sample=False, use_cache=True,
                           pad_token_id=0, eos_token_id=None)
    got = greedy(ours, ids, 20)
    assert torch.equal(got, want)
    assert torch.equal(greedy(ours, ids, 20, kv_cache=False), want)
