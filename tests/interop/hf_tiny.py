"""Tiny random Hugging Face checkpoints built locally with `transformers` (never downloaded).

Each case is a config small enough for CI but with every feature switched on in a way that
changes the logits: soft caps low enough to bite, sequences longer than the sliding
windows, RoPE scaling whose original context is shorter than the test sequence, random
norm gains (so Gemma's ``1 + weight`` matters) and random biases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
import transformers as T

VOCAB = 64
SEQ = 12  # longer than every sliding window below

_NO_SPECIAL = dict(bos_token_id=None, eos_token_id=None, pad_token_id=None)
_LLAMA_SIZES = dict(
    vocab_size=VOCAB,
    hidden_size=32,
    intermediate_size=48,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=64,
)


@dataclass
class Case:
    """One tiny checkpoint: its config and, optionally, config overrides that must change
    the logits (proof that the feature under test is actually exercised)."""

    name: str
    config: T.PretrainedConfig
    family: str  # the olm family class the import should produce
    controls: dict = field(default_factory=dict)


# Gemma 3: local layers rotate with base 10 000, global ones with a linearly scaled 1e6.
_GEMMA3_ROPE = {
    "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
    "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
}


def cases() -> list[Case]:
    llama31_rope = {
        "rope_type": "llama3",
        "rope_theta": 500000.0,
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8,
    }
    return [
        Case(
            "gpt2",
            T.GPT2Config(
                vocab_size=VOCAB, n_embd=32, n_layer=2, n_head=4, n_positions=32, **_NO_SPECIAL
            ),
            "GPT2Model",
        ),
        Case(
            "gpt2_untied",
            T.GPT2Config(
                vocab_size=VOCAB,
                n_embd=32,
                n_layer=2,
                n_head=4,
                n_positions=32,
                tie_word_embeddings=False,
                **_NO_SPECIAL,
            ),
            "GPT2Model",
        ),
        Case(
            "llama_gqa_untied",
            T.LlamaConfig(
                **_LLAMA_SIZES, num_key_value_heads=2, tie_word_embeddings=False, **_NO_SPECIAL
            ),
            "Llama3Model",
        ),
        Case(
            "llama_mha_tied",
            T.LlamaConfig(
                **_LLAMA_SIZES, num_key_value_heads=4, tie_word_embeddings=True, **_NO_SPECIAL
            ),
            "Llama3Model",
        ),
        Case(
            "llama31_rope_scaling",
            T.LlamaConfig(
                **_LLAMA_SIZES, num_key_value_heads=2, rope_parameters=llama31_rope, **_NO_SPECIAL
            ),
            "Llama3Model",
            controls={"rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}},
        ),
        Case(
            "llama_linear_rope",
            T.LlamaConfig(
                **_LLAMA_SIZES,
                num_key_value_heads=2,
                rope_parameters={"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0},
                **_NO_SPECIAL,
            ),
            "Llama3Model",
            controls={"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}},
        ),
        Case(
            "llama_biases",
            T.LlamaConfig(
                **_LLAMA_SIZES,
                num_key_value_heads=2,
                attention_bias=True,
                mlp_bias=True,
                **_NO_SPECIAL,
            ),
            "Block",
        ),
        Case(
            "qwen2",
            T.Qwen2Config(
                **_LLAMA_SIZES, num_key_value_heads=2, tie_word_embeddings=True, **_NO_SPECIAL
            ),
            "Qwen2Model",
        ),
        Case(
            "mistral_sliding",
            T.MistralConfig(**_LLAMA_SIZES, num_key_value_heads=2, sliding_window=4, **_NO_SPECIAL),
            "MistralModel",
            controls={"sliding_window": None},
        ),
        Case(
            "mixtral",
            T.MixtralConfig(
                **_LLAMA_SIZES,
                num_key_value_heads=2,
                num_local_experts=4,
                num_experts_per_tok=2,
                **_NO_SPECIAL,
            ),
            "MixtralModel",
            controls={"num_experts_per_tok": 1},
        ),
        Case(
            "qwen3",
            T.Qwen3Config(
                **_LLAMA_SIZES, num_key_value_heads=2, head_dim=16, tie_word_embeddings=True,
                **_NO_SPECIAL,
            ),
            "Qwen3Model",
        ),
        Case(
            "qwen3_moe",
            T.Qwen3MoeConfig(
                **_LLAMA_SIZES,
                num_key_value_heads=2,
                head_dim=8,
                moe_intermediate_size=24,
                num_experts=4,
                num_experts_per_tok=2,
                norm_topk_prob=True,
                **_NO_SPECIAL,
            ),
            "Qwen3MoeModel",
            controls={"num_experts_per_tok": 1},
        ),
        Case(
            "olmo2",
            T.Olmo2Config(
                **_LLAMA_SIZES, num_key_value_heads=2, tie_word_embeddings=False, **_NO_SPECIAL
            ),
            "OLMo2Model",
        ),
        Case(
            "deepseek_v3",
            T.DeepseekV3Config(
                vocab_size=VOCAB, hidden_size=32, intermediate_size=48, moe_intermediate_size=12,
                num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=4,
                n_shared_experts=1, n_routed_experts=8, num_experts_per_tok=2,
                first_k_dense_replace=1, n_group=4, topk_group=2, routed_scaling_factor=2.5,
                kv_lora_rank=16, q_lora_rank=24, qk_nope_head_dim=8, qk_rope_head_dim=4,
                v_head_dim=8, max_position_embeddings=64, rms_norm_eps=1e-6, **_NO_SPECIAL,
            ),
            "DeepSeekModel",
            controls={"routed_scaling_factor": 1.0},
        ),
        Case(
            "deepseek_v2_lite",
            T.DeepseekV2Config(
                vocab_size=VOCAB, hidden_size=32, intermediate_size=48, moe_intermediate_size=12,
                num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                n_shared_experts=2, n_routed_experts=8, num_experts_per_tok=3,
                first_k_dense_replace=1, topk_method="greedy", routed_scaling_factor=1.0,
                kv_lora_rank=16, q_lora_rank=None, qk_nope_head_dim=8, qk_rope_head_dim=4,
                v_head_dim=8, max_position_embeddings=64, rms_norm_eps=1e-6, **_NO_SPECIAL,
            ),
            "DeepSeekModel",
            controls={"num_experts_per_tok": 1},
        ),
        Case(
            "gemma2",
            T.Gemma2Config(
                **_LLAMA_SIZES,
                num_key_value_heads=2,
                head_dim=8,
                sliding_window=4,
                attn_logit_softcapping=2.0,
                final_logit_softcapping=3.0,
                query_pre_attn_scalar=12,
                **_NO_SPECIAL,
            ),
            "Gemma2Model",
            controls={
                "attn_logit_softcapping": None,
                "final_logit_softcapping": None,
                "sliding_window": 64,
            },
        ),
        Case(
            "gpt_oss",  # sinks, alternating 4-token windows, biased expert bank, YaRN
            T.GptOssConfig(
                **{**_LLAMA_SIZES, "intermediate_size": 24, "num_hidden_layers": 3},
                num_key_value_heads=2,
                head_dim=8,
                num_local_experts=4,
                num_experts_per_tok=2,
                sliding_window=4,
                rope_parameters={
                    "rope_type": "yarn", "rope_theta": 150000.0, "factor": 4.0,
                    "original_max_position_embeddings": 8, "beta_fast": 32.0,
                    "beta_slow": 1.0, "truncate": False,
                },
                **_NO_SPECIAL,
            ),
            "GPTOSSModel",
            controls={"sliding_window": 64, "num_experts_per_tok": 1},
        ),
        Case(
            "gemma3",  # 7 layers: five local, one global, one local (the 5 : 1 rhythm)
            T.Gemma3TextConfig(
                **{**_LLAMA_SIZES, "num_hidden_layers": 7},
                num_key_value_heads=2,
                head_dim=8,
                sliding_window=4,
                query_pre_attn_scalar=12,
                rope_parameters=_GEMMA3_ROPE,
                **_NO_SPECIAL,
            ),
            "Gemma3Model",
            controls={
                "sliding_window": 64,
                "rope_parameters": {
                    "sliding_attention": {"rope_type": "default", "rope_theta": 1000.0},
                    "full_attention": _GEMMA3_ROPE["full_attention"],
                },
            },
        ),
    ]


def randomize(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Random weights everywhere: norm gains in [0.5, 1.5], biases and matrices N(0, 0.2)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or ".ln_" in name or name.endswith("ln_f.weight"):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
        for name, b in model.named_buffers():  # DeepSeek-V3's routing bias is a buffer
            if name.endswith("e_score_correction_bias"):
                b.copy_(torch.randn(b.shape, generator=g) * 0.1)
    return model


def hf_model(config: T.PretrainedConfig, seed: int = 0) -> T.PreTrainedModel:
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = T.AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    return randomize(model, seed).eval()


def save_hf_checkpoint(
    config: T.PretrainedConfig, folder: Path, seed: int = 0, **save_kw
) -> T.PreTrainedModel:
    """A random tiny model of ``config`` written with ``save_pretrained`` (safetensors)."""
    model = hf_model(config, seed)
    model.save_pretrained(folder, **save_kw)
    return model


def load_transformers(folder: Path, **overrides) -> T.PreTrainedModel:
    return T.AutoModelForCausalLM.from_pretrained(
        folder, attn_implementation="eager", **overrides
    ).eval()


def prompt(batch: int = 2, seq: int = SEQ, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, VOCAB, (batch, seq), generator=torch.Generator().manual_seed(seed))


def hf_greedy(model: T.PreTrainedModel, ids: torch.Tensor, new: int) -> torch.Tensor:
    with torch.no_grad():
        return model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=new,
            do_sample=False,
            eos_token_id=None,
            pad_token_id=0,
        )
