"""The published checkpoints' configurations, written out as `transformers` config objects.

These are an independent source of truth for the presets in `olm.models`: the values are
copied from each checkpoint's `config.json` on the Hugging Face Hub (nothing is read from
`olm`), and `transformers`' own model classes are built from them on the meta device to
count parameters. Only the fields that shape parameters matter here; RoPE settings are
listed where they are part of the published config for completeness.
"""

from __future__ import annotations

from typing import Callable

from transformers import (
    DeepseekV2Config,
    DeepseekV3Config,
    Gemma2Config,
    Gemma3TextConfig,
    GPT2Config,
    GptOssConfig,
    LlamaConfig,
    MistralConfig,
    MixtralConfig,
    Olmo2Config,
    OlmoConfig,
    OPTConfig,
    Phi3Config,
    PretrainedConfig,
    Qwen2Config,
    Qwen3Config,
    Qwen3MoeConfig,
)

__all__ = ["HF_CONFIGS"]


def _gpt2(n_embd: int, n_layer: int, n_head: int) -> Callable[[], PretrainedConfig]:
    return lambda: GPT2Config(
        vocab_size=50257, n_positions=1024, n_embd=n_embd, n_layer=n_layer, n_head=n_head
    )


def _llama(**kw) -> Callable[[], PretrainedConfig]:
    return lambda: LlamaConfig(**kw)


def _qwen2(**kw) -> Callable[[], PretrainedConfig]:
    return lambda: Qwen2Config(**kw)


def _gemma2(**kw) -> Callable[[], PretrainedConfig]:
    base = dict(
        vocab_size=256000,
        max_position_embeddings=8192,
        sliding_window=4096,
        attn_logit_softcapping=50.0,
        final_logit_softcapping=30.0,
        hidden_activation="gelu_pytorch_tanh",
        tie_word_embeddings=True,
    )
    return lambda: Gemma2Config(**base, **kw)


_LLAMA2 = dict(vocab_size=32000, max_position_embeddings=4096, tie_word_embeddings=False)
_LLAMA31 = dict(vocab_size=128256, max_position_embeddings=131072, tie_word_embeddings=False)
_LLAMA32 = dict(vocab_size=128256, max_position_embeddings=131072, tie_word_embeddings=True)
_QWEN_SMALL = dict(vocab_size=151936, tie_word_embeddings=True)
_QWEN_LARGE = dict(vocab_size=152064, tie_word_embeddings=False)

_QWEN3 = dict(vocab_size=151936, head_dim=128, max_position_embeddings=40960,
              rope_theta=1000000.0, rms_norm_eps=1e-6)


def _qwen3(**kw) -> Callable[[], PretrainedConfig]:
    return lambda: Qwen3Config(**_QWEN3, **kw)


def _deepseek_yarn(mscale: float) -> dict:
    return dict(rope_type="yarn", rope_theta=10000.0, factor=40.0, beta_fast=32.0, beta_slow=1.0,
                mscale=mscale, mscale_all_dim=mscale, original_max_position_embeddings=4096)


_MLA = dict(kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128,
            max_position_embeddings=163840, tie_word_embeddings=False)


HF_CONFIGS: dict[str, Callable[[], PretrainedConfig]] = {
    # openai-community/gpt2, gpt2-medium, gpt2-large, gpt2-xl
    "GPT2": _gpt2(768, 12, 12),
    "GPT2Medium": _gpt2(1024, 24, 16),
    "GPT2Large": _gpt2(1280, 36, 20),
    "GPT2XL": _gpt2(1600, 48, 25),
    # meta-llama/Llama-2-{7b,13b,70b}-hf
    "Llama2_7B": _llama(**_LLAMA2, hidden_size=4096, intermediate_size=11008,
                        num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32),
    "Llama2_13B": _llama(**_LLAMA2, hidden_size=5120, intermediate_size=13824,
                         num_hidden_layers=40, num_attention_heads=40, num_key_value_heads=40),
    "Llama2_70B": _llama(**_LLAMA2, hidden_size=8192, intermediate_size=28672,
                         num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8),
    # meta-llama/Llama-3.1-{8B,70B,405B}, Llama-3.2-{1B,3B}
    "Llama3_1_8B": _llama(**_LLAMA31, hidden_size=4096, intermediate_size=14336,
                          num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8),
    "Llama3_1_70B": _llama(**_LLAMA31, hidden_size=8192, intermediate_size=28672,
                           num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8),
    "Llama3_1_405B": _llama(**_LLAMA31, hidden_size=16384, intermediate_size=53248,
                            num_hidden_layers=126, num_attention_heads=128,
                            num_key_value_heads=8),
    "Llama3_2_1B": _llama(**_LLAMA32, hidden_size=2048, intermediate_size=8192,
                          num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
                          head_dim=64),
    "Llama3_2_3B": _llama(**_LLAMA32, hidden_size=3072, intermediate_size=8192,
                          num_hidden_layers=28, num_attention_heads=24, num_key_value_heads=8,
                          head_dim=128),
    # Qwen/Qwen2.5-{0.5B,...,72B}
    "Qwen2_5_0_5B": _qwen2(**_QWEN_SMALL, hidden_size=896, intermediate_size=4864,
                           num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2),
    "Qwen2_5_1_5B": _qwen2(**_QWEN_SMALL, hidden_size=1536, intermediate_size=8960,
                           num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2),
    "Qwen2_5_3B": _qwen2(**_QWEN_SMALL, hidden_size=2048, intermediate_size=11008,
                         num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=2),
    "Qwen2_5_7B": _qwen2(**_QWEN_LARGE, hidden_size=3584, intermediate_size=18944,
                         num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4),
    "Qwen2_5_14B": _qwen2(**_QWEN_LARGE, hidden_size=5120, intermediate_size=13824,
                          num_hidden_layers=48, num_attention_heads=40, num_key_value_heads=8),
    "Qwen2_5_32B": _qwen2(**_QWEN_LARGE, hidden_size=5120, intermediate_size=27648,
                          num_hidden_layers=64, num_attention_heads=40, num_key_value_heads=8),
    "Qwen2_5_72B": _qwen2(**_QWEN_LARGE, hidden_size=8192, intermediate_size=29568,
                          num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8),
    # mistralai/Mistral-7B-v0.1, Mixtral-8x7B-v0.1
    "Mistral_7B": lambda: MistralConfig(
        vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=8, sliding_window=4096,
        tie_word_embeddings=False,
    ),
    "Mixtral_8x7B": lambda: MixtralConfig(
        vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=8, num_local_experts=8,
        num_experts_per_tok=2, tie_word_embeddings=False,
    ),
    # google/gemma-2-{2b,9b,27b}
    "Gemma2_2B": _gemma2(hidden_size=2304, intermediate_size=9216, num_hidden_layers=26,
                         num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                         query_pre_attn_scalar=256),
    "Gemma2_9B": _gemma2(hidden_size=3584, intermediate_size=14336, num_hidden_layers=42,
                         num_attention_heads=16, num_key_value_heads=8, head_dim=256,
                         query_pre_attn_scalar=256),
    "Gemma2_27B": _gemma2(hidden_size=4608, intermediate_size=36864, num_hidden_layers=46,
                          num_attention_heads=32, num_key_value_heads=16, head_dim=128,
                          query_pre_attn_scalar=144),
    # google/gemma-3-1b-pt, google/gemma-3-27b-pt (text_config)
    "Gemma3_1B": lambda: Gemma3TextConfig(
        vocab_size=262144, hidden_size=1152, intermediate_size=6912, num_hidden_layers=26,
        num_attention_heads=4, num_key_value_heads=1, head_dim=256,
        max_position_embeddings=32768, query_pre_attn_scalar=256, sliding_window=512,
        tie_word_embeddings=True,
    ),
    "Gemma3_27B": lambda: Gemma3TextConfig(
        vocab_size=262208, hidden_size=5376, intermediate_size=21504, num_hidden_layers=62,
        num_attention_heads=32, num_key_value_heads=16, head_dim=128,
        max_position_embeddings=131072, query_pre_attn_scalar=168, sliding_window=1024,
        tie_word_embeddings=True,
        rope_parameters={
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
            "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
        },
    ),
    # microsoft/Phi-3.5-mini-instruct, microsoft/phi-4
    "Phi3_5_Mini": lambda: Phi3Config(
        vocab_size=32064, hidden_size=3072, intermediate_size=8192, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=131072,
        tie_word_embeddings=False,
    ),
    "Phi4_14B": lambda: Phi3Config(
        vocab_size=100352, hidden_size=5120, intermediate_size=17920, num_hidden_layers=40,
        num_attention_heads=40, num_key_value_heads=10, max_position_embeddings=16384,
        pad_token_id=100349, bos_token_id=100257, eos_token_id=100257,
        tie_word_embeddings=False,
    ),
    # allenai/OLMo-7B-hf
    "OLMo_7B": lambda: OlmoConfig(
        vocab_size=50304, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=2048,
        pad_token_id=1, eos_token_id=50279, tie_word_embeddings=False,
    ),
    # facebook/opt-125m
    "OPT125M": lambda: OPTConfig(
        vocab_size=50272, hidden_size=768, ffn_dim=3072, num_hidden_layers=12,
        num_attention_heads=12, max_position_embeddings=2048, word_embed_proj_dim=768,
        do_layer_norm_before=True, tie_word_embeddings=True,
    ),
    # Qwen/Qwen3-0.6B, Qwen3-8B, Qwen3-32B, Qwen3-30B-A3B
    "Qwen3_0_6B": _qwen3(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                        num_attention_heads=16, num_key_value_heads=8, tie_word_embeddings=True),
    "Qwen3_8B": _qwen3(hidden_size=4096, intermediate_size=12288, num_hidden_layers=36,
                      num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=False),
    "Qwen3_32B": _qwen3(hidden_size=5120, intermediate_size=25600, num_hidden_layers=64,
                       num_attention_heads=64, num_key_value_heads=8, tie_word_embeddings=False),
    "Qwen3_30B_A3B": lambda: Qwen3MoeConfig(
        **_QWEN3, hidden_size=2048, intermediate_size=6144, moe_intermediate_size=768,
        num_hidden_layers=48, num_attention_heads=32, num_key_value_heads=4, num_experts=128,
        num_experts_per_tok=8, norm_topk_prob=True, tie_word_embeddings=False,
    ),
    # allenai/OLMo-2-1124-7B
    "OLMo2_7B": lambda: Olmo2Config(
        vocab_size=100352, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=4096,
        rope_theta=500000.0, rms_norm_eps=1e-6, pad_token_id=100277, eos_token_id=100257,
        tie_word_embeddings=False,
    ),
    # openai/gpt-oss-20b, gpt-oss-120b
    "GPTOSS_20B": lambda: GptOssConfig(num_hidden_layers=24, num_local_experts=32),
    "GPTOSS_120B": lambda: GptOssConfig(num_hidden_layers=36, num_local_experts=128),
    # deepseek-ai/DeepSeek-V2-Lite, DeepSeek-V3 (without the multi-token-prediction module)
    "DeepSeekV2_Lite": lambda: DeepseekV2Config(
        **_MLA, vocab_size=102400, hidden_size=2048, intermediate_size=10944,
        moe_intermediate_size=1408, num_hidden_layers=27, num_attention_heads=16,
        num_key_value_heads=16, n_routed_experts=64, n_shared_experts=2, num_experts_per_tok=6,
        first_k_dense_replace=1, q_lora_rank=None, topk_method="greedy", n_group=1,
        topk_group=1, norm_topk_prob=False, routed_scaling_factor=1.0,
        rope_parameters=_deepseek_yarn(0.707),
    ),
    "DeepSeekV3": lambda: DeepseekV3Config(
        **_MLA, vocab_size=129280, hidden_size=7168, intermediate_size=18432,
        moe_intermediate_size=2048, num_hidden_layers=61, num_attention_heads=128,
        num_key_value_heads=128, n_routed_experts=256, n_shared_experts=1, num_experts_per_tok=8,
        first_k_dense_replace=3, q_lora_rank=1536, n_group=8, topk_group=4, norm_topk_prob=True,
        routed_scaling_factor=2.5, rope_parameters=_deepseek_yarn(1.0),
    ),
}
