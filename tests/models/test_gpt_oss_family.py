"""gpt-oss against `transformers` on a tiny random config: sinks, windows, biased MoE, YaRN."""

from __future__ import annotations

import torch
import transformers as T

from olm.generation import greedy
from olm.models import GPTOSSModel
from olm.nn.attention import GroupedQueryAttention
from olm.nn.moe import GptOssMoEFFN
from olm.nn.norms import RMSNorm

ROPE = {"rope_type": "yarn", "rope_theta": 150000.0, "factor": 4.0,
        "original_max_position_embeddings": 8, "beta_fast": 32.0, "beta_slow": 1.0,
        "truncate": False}
TINY = dict(vocab_size=64, hidden_size=32, intermediate_size=24, num_hidden_layers=4,
            num_attention_heads=4, num_key_value_heads=2, head_dim=8, num_local_experts=4,
            num_experts_per_tok=2, sliding_window=4, max_position_embeddings=64,
            rope_parameters=ROPE, bos_token_id=None, eos_token_id=None, pad_token_id=None)


def _hf() -> T.PreTrainedModel:
    config = T.GptOssConfig(**TINY)
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = T.AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            scale = 0.5 if "norm" in name else 0.3
            p.copy_(torch.randn(p.shape, generator=g) * scale + (1.0 if "norm" in name else 0.0))
    return model.eval()


def _ours() -> GPTOSSModel:
    return GPTOSSModel(
        vocab_size=64, embed_dim=32, num_layers=4, num_heads=4, num_kv_heads=2, head_dim=8,
        max_seq_len=64, num_experts=4, top_k=2, expert_dim=24, sliding_window=4,
        rope_theta=150000.0, rope_scaling={k: v for k, v in ROPE.items() if k != "rope_theta"},
    ).eval()


def _copy(ours: GPTOSSModel, hf: T.PreTrainedModel) -> None:
    attns = [m for m in ours.modules() if isinstance(m, GroupedQueryAttention)]
    moes = [m for m in ours.modules() if isinstance(m, GptOssMoEFFN)]
    norms = [m for m in ours.modules() if isinstance(m, RMSNorm)]
    with torch.no_grad():
        ours.blocks[0].weight.copy_(hf.model.embed_tokens.weight)
        for i, layer in enumerate(hf.model.layers):
            a, h = attns[i], layer.self_attn
            for mine, theirs in ((a.q_proj, h.q_proj), (a.k_proj, h.k_proj),
                                 (a.v_proj, h.v_proj), (a.out_proj, h.o_proj)):
                mine.weight.copy_(theirs.weight)
                mine.bias.copy_(theirs.bias)
            a.attention_sink.copy_(h.sinks)
            m, e = moes[i], layer.mlp
            m.router.weight.copy_(e.router.weight)
            m.router.bias.copy_(e.router.bias)
            gate_up = e.experts.gate_up_proj.transpose(1, 2)  # [E, 2I, D], gate/up interleaved
            m.experts.up.copy_(torch.cat([gate_up[:, 1::2], gate_up[:, 0::2]], dim=1))
            bias = e.experts.gate_up_proj_bias
            m.experts.up_bias.copy_(torch.cat([bias[:, 1::2], bias[:, 0::2]], dim=1))
            m.experts.down.copy_(e.experts.down_proj.transpose(1, 2))
            m.experts.down_bias.copy_(e.experts.down_proj_bias)
            norms[2 * i].weight.copy_(layer.input_layernorm.weight)
            norms[2 * i + 1].weight.copy_(layer.post_attention_layernorm.weight)
        norms[-1].weight.copy_(hf.model.norm.weight)
        ours.blocks[-1].proj.weight.copy_(hf.lm_head.weight)


def test_tiny_gpt_oss_logits_and_greedy_match_transformers():
    hf, ours = _hf(), _ours()
    _copy(ours, hf)
    ids = torch.randint(0, 64, (2, 12), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(ours(ids), hf(ids).logits, atol=1e-4, rtol=1e-4)
        expected = hf.generate(ids[:, :4], max_new_tokens=8, do_sample=False)
    assert torch.equal(greedy(ours, ids[:, :4], 8), expected)


def test_layers_alternate_sliding_and_full_and_every_head_has_a_sink():
    attns = [m for m in _ours().modules() if isinstance(m, GroupedQueryAttention)]
    assert [a.sliding_window for a in attns] == [4, None, 4, None]
    assert all(a.attention_sink is not None and a.attention_sink.shape == (4,) for a in attns)
