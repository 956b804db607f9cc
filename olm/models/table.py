"""Every preset as one row of data: family, year, notable choices, exact size, published numbers.

A preset is a family class (``Llama3Model``) filled in with a checkpoint's published
numbers. Those numbers, and the facts a person browsing presets wants without building
anything (the year, the notable design choices worded as on the reference page's
timeline, the matching ``transformers`` architecture, the exact parameter count checked
against ``transformers`` by the tests), live here and only here. The preset classes
(``Llama3_1_8B()``) are made from these rows by :func:`olm.models._preset.preset_class`;
the gallery, the shipped documents (``olm/models/documents``) and the parameter-count
tests read the same rows.

This module imports nothing heavy: reading the table needs no torch.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Family",
    "PresetInfo",
    "PRESETS",
    "ROWS",
    "Row",
    "llama3_rope_scaling",
    "deepseek_yarn",
    "GPT_OSS_ROPE",
    "presets_markdown",
]


def llama3_rope_scaling(factor: float) -> dict:
    """Llama 3.1's "llama3" RoPE scaling (as in its config.json), with the given factor."""
    return {
        "rope_type": "llama3",
        "factor": factor,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    }


@dataclass(frozen=True)
class Family:
    """What every preset of one family shares.

    Args:
        name (str): the family as people name it, e.g. ``"Llama 3"``.
        year (int): the year the family was published.
        module (str): the module defining the family class, e.g. ``"olm.models.llama3"``.
        class_name (str): the family class, e.g. ``"Llama3Model"``.
        hf_architecture (str): the matching ``transformers`` architecture class name.
        notable (str): one line on the family's notable design choices.
    """

    name: str
    year: int
    module: str
    class_name: str
    hf_architecture: str
    notable: str


@dataclass(frozen=True)
class Row:
    """One preset: its family, name, exact parameter count, one-line doc and numbers.

    Args:
        family (Family): the family it fills in.
        name (str): the preset's class name, e.g. ``"Llama3_1_8B"``.
        params (int): exact parameter count (tied weights counted once).
        doc (str): the preset class's docstring (checkpoint id and headline sizes).
        config (dict): the family class's arguments.
    """

    family: Family
    name: str
    params: int
    doc: str
    config: dict = field(hash=False)


@dataclass(frozen=True)
class PresetInfo:
    """Facts about one named reference model (a view of its :class:`Row`).

    Args:
        name (str): the preset's class name, e.g. ``"Llama3_1_8B"``.
        family (str): the model family as people name it, e.g. ``"Llama 3"``.
        year (int): the year the family (or this release) was published.
        notable (str): one line on the family's notable design choices.
        hf_architecture (str): the matching ``transformers`` architecture class name.
        params (int): exact parameter count of the published checkpoint (tied weights
            counted once).
        row (Row): the full row, with the family class's arguments.
    """

    name: str
    family: str
    year: int
    notable: str
    hf_architecture: str
    params: int
    row: Row = field(repr=False, compare=False)

    @property
    def config(self) -> dict[str, Any]:
        """The family class's arguments for this preset (a copy)."""
        return dict(self.row.config)

    @property
    def cls(self) -> type:
        """The preset class; ``cls()`` builds the model (imports torch)."""
        return getattr(importlib.import_module(self.row.family.module), self.name)

    @property
    def family_class(self) -> type:
        """The configurable family class the preset fills in (e.g. ``Llama3Model``)."""
        family = self.row.family
        return getattr(importlib.import_module(family.module), family.class_name)


_GPT2 = Family(
    'GPT-2', 2019, 'olm.models.gpt2', 'GPT2Model', 'GPT2LMHeadModel',
    'learned absolute positions, LayerNorm, multi-head attention, GELU MLP, biases',
)

_OPT = Family(
    'OPT', 2022, 'olm.models.opt', 'OPTModel', 'OPTForCausalLM',
    'learned absolute positions, LayerNorm, ReLU MLP, biases',
)

_LLAMA2 = Family(
    'Llama 2', 2023, 'olm.models.llama2', 'Llama2Model', 'LlamaForCausalLM',
    'adds GQA on the larger sizes',
)

_MISTRAL = Family(
    'Mistral', 2023, 'olm.models.mistral', 'MistralModel', 'MistralForCausalLM',
    'GQA + sliding-window attention',
)

_MIXTRAL = Family(
    'Mixtral', 2023, 'olm.models.mixtral', 'MixtralModel', 'MixtralForCausalLM',
    'GQA + sliding-window attention; Mixtral adds sparse MoE',
)

_GEMMA2 = Family(
    'Gemma 2', 2024, 'olm.models.gemma2', 'Gemma2Model', 'Gemma2ForCausalLM',
    'RMSNorm + GeGLU + GQA',
)

_LLAMA3 = Family(
    'Llama 3', 2024, 'olm.models.llama3', 'Llama3Model', 'LlamaForCausalLM',
    'GQA across all sizes, much larger (128k) vocabulary',
)

_OLMO = Family(
    'OLMo', 2024, 'olm.models.olmo', 'OLMoModel', 'OlmoForCausalLM',
    'RoPE + SwiGLU, non-parametric LayerNorm, no biases',
)

_PHI3 = Family(
    'Phi-3.5', 2024, 'olm.models.phi3', 'Phi3Model', 'Phi3ForCausalLM',
    'RoPE + RMSNorm + SwiGLU, multi-head attention, 32k vocabulary',
)

_PHI4 = Family(
    'Phi-4', 2024, 'olm.models.phi4', 'Phi4Model', 'Phi3ForCausalLM',
    'RoPE + RMSNorm + SwiGLU + GQA, 100k vocabulary',
)

_QWEN2 = Family(
    'Qwen 2.5', 2024, 'olm.models.qwen2', 'Qwen2Model', 'Qwen2ForCausalLM',
    'RoPE + RMSNorm + SwiGLU + GQA',
)

_QWEN3 = Family(
    'Qwen 3', 2025, 'olm.models.qwen3', 'Qwen3Model', 'Qwen3ForCausalLM',
    'Llama recipe + QK-norm (per-head RMSNorm on queries and keys), no biases',
)
_QWEN3_MOE = Family(
    'Qwen 3 MoE', 2025, 'olm.models.qwen3', 'Qwen3MoeModel', 'Qwen3MoeForCausalLM',
    'QK-norm + fine-grained MoE: 128 small experts, top-8, normalised softmax',
)
_OLMO2 = Family(
    'OLMo 2', 2024, 'olm.models.olmo2', 'OLMo2Model', 'Olmo2ForCausalLM',
    'norm after each sublayer (inside the skip) + QK-norm across heads',
)
_DEEPSEEK_V2 = Family(
    'DeepSeek-V2', 2024, 'olm.models.deepseek', 'DeepSeekModel', 'DeepseekV2ForCausalLM',
    'multi-head latent attention (compressed KV cache) + DeepSeekMoE with shared experts',
)
_DEEPSEEK_V3 = Family(
    'DeepSeek-V3', 2024, 'olm.models.deepseek', 'DeepSeekModel', 'DeepseekV3ForCausalLM',
    'MLA + 256 fine-grained experts, sigmoid group-limited routing, loss-free balancing',
)
_GEMMA3 = Family(
    'Gemma 3', 2025, 'olm.models.gemma3', 'Gemma3Model', 'Gemma3ForCausalLM',
    '5 local : 1 global layers, QK-norm, local/global RoPE bases',
)
_GPT_OSS = Family(
    'gpt-oss', 2025, 'olm.models.gpt_oss', 'GPTOSSModel', 'GptOssForCausalLM',
    'attention sinks + alternating 128-token windows + biased MoE, YaRN RoPE',
)


def deepseek_yarn(mscale: float) -> dict:
    """DeepSeek's YaRN RoPE scaling (4k -> 160k), with its attention-scale ``mscale``."""
    return {"rope_type": "yarn", "factor": 40.0, "original_max_position_embeddings": 4096,
            "beta_fast": 32.0, "beta_slow": 1.0, "mscale": mscale, "mscale_all_dim": mscale}


GPT_OSS_ROPE = {"rope_type": "yarn", "factor": 32.0, "original_max_position_embeddings": 4096,
                "beta_fast": 32.0, "beta_slow": 1.0, "truncate": False}

ROWS = (
    Row(_GPT2, 'GPT2', 124_439_808,
        'GPT-2 small (openai-community/gpt2): 12 layers, width 768, 12 heads, 1024 context.',
        dict(vocab_size=50_257, embed_dim=768, num_layers=12, num_heads=12, max_seq_len=1024,
             tie_weights=True)),
    Row(_GPT2, 'GPT2Medium', 354_823_168,
        'GPT-2 medium (openai-community/gpt2-medium): 24 layers, width 1024, 16 heads.',
        dict(vocab_size=50_257, embed_dim=1024, num_layers=24, num_heads=16, max_seq_len=1024,
             tie_weights=True)),
    Row(_GPT2, 'GPT2Large', 774_030_080,
        'GPT-2 large (openai-community/gpt2-large): 36 layers, width 1280, 20 heads.',
        dict(vocab_size=50_257, embed_dim=1280, num_layers=36, num_heads=20, max_seq_len=1024,
             tie_weights=True)),
    Row(_GPT2, 'GPT2XL', 1_557_611_200,
        'GPT-2 XL (openai-community/gpt2-xl): 48 layers, width 1600, 25 heads.',
        dict(vocab_size=50_257, embed_dim=1600, num_layers=48, num_heads=25, max_seq_len=1024,
             tie_weights=True)),
    Row(_OPT, 'OPT125M', 125_239_296,
        'OPT-125M (facebook/opt-125m): 12 layers, width 768, 12 heads, 2048 context, tied head.',
        dict(vocab_size=50_272, embed_dim=768, intermediate_size=3072, num_layers=12,
             num_heads=12, max_seq_len=2048, tie_weights=True)),
    Row(_LLAMA2, 'Llama2_7B', 6_738_415_616,
        'Llama 2 7B (meta-llama/Llama-2-7b-hf): 32 layers, width 4096, multi-head attention.',
        dict(vocab_size=32_000, embed_dim=4096, intermediate_size=11_008, num_layers=32,
             num_heads=32, num_kv_heads=32, max_seq_len=4096, rope_theta=10000.0,
             tie_weights=False)),
    Row(_LLAMA2, 'Llama2_13B', 13_015_864_320,
        'Llama 2 13B (meta-llama/Llama-2-13b-hf): 40 layers, width 5120, multi-head attention.',
        dict(vocab_size=32_000, embed_dim=5120, intermediate_size=13_824, num_layers=40,
             num_heads=40, num_kv_heads=40, max_seq_len=4096, rope_theta=10000.0,
             tie_weights=False)),
    Row(_LLAMA2, 'Llama2_70B', 68_976_648_192,
        'Llama 2 70B (meta-llama/Llama-2-70b-hf): 80 layers, width 8192, 8 KV heads (GQA).',
        dict(vocab_size=32_000, embed_dim=8192, intermediate_size=28_672, num_layers=80,
             num_heads=64, num_kv_heads=8, max_seq_len=4096, rope_theta=10000.0,
             tie_weights=False)),
    Row(_MISTRAL, 'Mistral_7B', 7_241_732_096,
        'Mistral 7B v0.1 (mistralai/Mistral-7B-v0.1): 32 layers, 8 KV heads, 4096-token window.',
        dict(vocab_size=32_000, embed_dim=4096, intermediate_size=14_336, num_layers=32,
             num_heads=32, num_kv_heads=8, max_seq_len=32_768, rope_theta=10000.0,
             sliding_window=4096, rms_norm_eps=1e-5, tie_weights=False)),
    Row(_MIXTRAL, 'Mixtral_8x7B', 46_702_792_704,
        'Mixtral 8x7B v0.1 (mistralai/Mixtral-8x7B-v0.1): 32 layers, 8 experts, top-2 routing.',
        dict(vocab_size=32_000, embed_dim=4096, intermediate_size=14_336, num_layers=32,
             num_heads=32, num_kv_heads=8, max_seq_len=32_768, num_experts=8, top_k=2,
             rope_theta=1000000.0, sliding_window=None, rms_norm_eps=1e-5, tie_weights=False)),
    Row(_GEMMA2, 'Gemma2_2B', 2_614_341_888,
        'Gemma 2 2B (google/gemma-2-2b): 26 layers, width 2304, 8 heads of 256, 4 KV heads.',
        dict(vocab_size=256_000, embed_dim=2304, intermediate_size=9216, num_layers=26,
             num_heads=8, num_kv_heads=4, head_dim=256, max_seq_len=8192, rope_theta=10000.0,
             sliding_window=4096, attn_logit_softcap=50.0, final_logit_softcap=30.0,
             query_pre_attn_scalar=256.0, tie_weights=True)),
    Row(_GEMMA2, 'Gemma2_9B', 9_241_705_984,
        'Gemma 2 9B (google/gemma-2-9b): 42 layers, width 3584, 16 heads of 256, 8 KV heads.',
        dict(vocab_size=256_000, embed_dim=3584, intermediate_size=14_336, num_layers=42,
             num_heads=16, num_kv_heads=8, head_dim=256, max_seq_len=8192, rope_theta=10000.0,
             sliding_window=4096, attn_logit_softcap=50.0, final_logit_softcap=30.0,
             query_pre_attn_scalar=256.0, tie_weights=True)),
    Row(_GEMMA2, 'Gemma2_27B', 27_227_128_320,
        'Gemma 2 27B (google/gemma-2-27b): 46 layers, width 4608, 32 heads of 128. Its '
        '``query_pre_attn_scalar`` is 144 (``embed_dim / num_heads``), not the head width.',
        dict(vocab_size=256_000, embed_dim=4608, intermediate_size=36_864, num_layers=46,
             num_heads=32, num_kv_heads=16, head_dim=128, max_seq_len=8192, rope_theta=10000.0,
             sliding_window=4096, attn_logit_softcap=50.0, final_logit_softcap=30.0,
             query_pre_attn_scalar=144.0, tie_weights=True)),
    Row(_LLAMA3, 'Llama3_1_8B', 8_030_261_248,
        'Llama 3.1 8B (meta-llama/Llama-3.1-8B): 32 layers, width 4096, 8 KV heads, 128k context.',
        dict(vocab_size=128_256, embed_dim=4096, intermediate_size=14_336, num_layers=32,
             num_heads=32, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
             rope_scaling=llama3_rope_scaling(8.0), rms_norm_eps=1e-5, tie_weights=False)),
    Row(_LLAMA3, 'Llama3_1_70B', 70_553_706_496,
        'Llama 3.1 70B (meta-llama/Llama-3.1-70B): 80 layers, width 8192, 8 KV heads.',
        dict(vocab_size=128_256, embed_dim=8192, intermediate_size=28_672, num_layers=80,
             num_heads=64, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
             rope_scaling=llama3_rope_scaling(8.0), rms_norm_eps=1e-5, tie_weights=False)),
    Row(_LLAMA3, 'Llama3_1_405B', 405_853_388_800,
        'Llama 3.1 405B (meta-llama/Llama-3.1-405B): 126 layers, width 16384, 128 heads.',
        dict(vocab_size=128_256, embed_dim=16_384, intermediate_size=53_248, num_layers=126,
             num_heads=128, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
             rope_scaling=llama3_rope_scaling(8.0), rms_norm_eps=1e-5, tie_weights=False)),
    Row(_LLAMA3, 'Llama3_2_1B', 1_235_814_400,
        'Llama 3.2 1B (meta-llama/Llama-3.2-1B): 16 layers, width 2048, tied head.',
        dict(vocab_size=128_256, embed_dim=2048, intermediate_size=8192, num_layers=16,
             num_heads=32, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
             rope_scaling=llama3_rope_scaling(32.0), rms_norm_eps=1e-5, tie_weights=True)),
    Row(_LLAMA3, 'Llama3_2_3B', 3_212_749_824,
        'Llama 3.2 3B (meta-llama/Llama-3.2-3B): 28 layers, width 3072, 24 heads, tied head.',
        dict(vocab_size=128_256, embed_dim=3072, intermediate_size=8192, num_layers=28,
             num_heads=24, num_kv_heads=8, max_seq_len=131_072, rope_theta=500000.0,
             rope_scaling=llama3_rope_scaling(32.0), rms_norm_eps=1e-5, tie_weights=True)),
    Row(_OLMO, 'OLMo_7B', 6_888_095_744,
        'OLMo 7B (allenai/OLMo-7B-hf): 32 layers, width 4096, 32 heads, 2048 context.',
        dict(vocab_size=50_304, embed_dim=4096, intermediate_size=11_008, num_layers=32,
             num_heads=32, max_seq_len=2048, rope_theta=10000.0, tie_weights=False)),
    Row(_PHI3, 'Phi3_5_Mini', 3_821_079_552,
        'Phi-3.5-mini (microsoft/Phi-3.5-mini-instruct): 32 layers, width 3072, 32 heads. '
        'The published model extends its 4k training context to 128k with LongRoPE, whose '
        'per-frequency factors are not built in here; RoPE is unscaled.',
        dict(vocab_size=32_064, embed_dim=3072, intermediate_size=8192, num_layers=32,
             num_heads=32, num_kv_heads=32, max_seq_len=131_072, rope_theta=10000.0,
             activation='swiglu', rms_norm_eps=1e-5, tie_weights=False)),
    Row(_PHI4, 'Phi4_14B', 14_659_507_200,
        'Phi-4 (microsoft/phi-4): 40 layers, width 5120, 40 heads, 10 KV heads, 16k context.',
        dict(vocab_size=100_352, embed_dim=5120, intermediate_size=17_920, num_layers=40,
             num_heads=40, num_kv_heads=10, max_seq_len=16_384, rope_theta=250000.0,
             rms_norm_eps=1e-5, tie_weights=False)),
    Row(_QWEN2, 'Qwen2_5_0_5B', 494_032_768,
        'Qwen2.5 0.5B (Qwen/Qwen2.5-0.5B): 24 layers, width 896, 2 KV heads, tied head.',
        dict(vocab_size=151_936, embed_dim=896, intermediate_size=4864, num_layers=24,
             num_heads=14, num_kv_heads=2, max_seq_len=32_768, rope_theta=1000000.0,
             tie_weights=True, rms_norm_eps=1e-6)),
    Row(_QWEN2, 'Qwen2_5_1_5B', 1_543_714_304,
        'Qwen2.5 1.5B (Qwen/Qwen2.5-1.5B): 28 layers, width 1536, 2 KV heads, tied head.',
        dict(vocab_size=151_936, embed_dim=1536, intermediate_size=8960, num_layers=28,
             num_heads=12, num_kv_heads=2, max_seq_len=131_072, rope_theta=1000000.0,
             tie_weights=True, rms_norm_eps=1e-6)),
    Row(_QWEN2, 'Qwen2_5_3B', 3_085_938_688,
        'Qwen2.5 3B (Qwen/Qwen2.5-3B): 36 layers, width 2048, 2 KV heads, tied head.',
        dict(vocab_size=151_936, embed_dim=2048, intermediate_size=11_008, num_layers=36,
             num_heads=16, num_kv_heads=2, max_seq_len=32_768, rope_theta=1000000.0,
             tie_weights=True, rms_norm_eps=1e-6)),
    Row(_QWEN2, 'Qwen2_5_7B', 7_615_616_512,
        'Qwen2.5 7B (Qwen/Qwen2.5-7B): 28 layers, width 3584, 4 KV heads.',
        dict(vocab_size=152_064, embed_dim=3584, intermediate_size=18_944, num_layers=28,
             num_heads=28, num_kv_heads=4, max_seq_len=131_072, rope_theta=1000000.0,
             tie_weights=False, rms_norm_eps=1e-6)),
    Row(_QWEN2, 'Qwen2_5_14B', 14_770_033_664,
        'Qwen2.5 14B (Qwen/Qwen2.5-14B): 48 layers, width 5120, 8 KV heads.',
        dict(vocab_size=152_064, embed_dim=5120, intermediate_size=13_824, num_layers=48,
             num_heads=40, num_kv_heads=8, max_seq_len=131_072, rope_theta=1000000.0,
             tie_weights=False, rms_norm_eps=1e-5)),
    Row(_QWEN2, 'Qwen2_5_32B', 32_763_876_352,
        'Qwen2.5 32B (Qwen/Qwen2.5-32B): 64 layers, width 5120, 8 KV heads.',
        dict(vocab_size=152_064, embed_dim=5120, intermediate_size=27_648, num_layers=64,
             num_heads=40, num_kv_heads=8, max_seq_len=131_072, rope_theta=1000000.0,
             tie_weights=False, rms_norm_eps=1e-5)),
    Row(_QWEN2, 'Qwen2_5_72B', 72_706_203_648,
        'Qwen2.5 72B (Qwen/Qwen2.5-72B): 80 layers, width 8192, 8 KV heads.',
        dict(vocab_size=152_064, embed_dim=8192, intermediate_size=29_568, num_layers=80,
             num_heads=64, num_kv_heads=8, max_seq_len=131_072, rope_theta=1000000.0,
             tie_weights=False, rms_norm_eps=1e-5)),
    Row(_QWEN3, 'Qwen3_0_6B', 596_049_920,
        'Qwen3 0.6B (Qwen/Qwen3-0.6B): 28 layers, width 1024, 16 heads of 128, 8 KV heads, tied.',
        dict(vocab_size=151_936, embed_dim=1024, intermediate_size=3072, num_layers=28,
             num_heads=16, num_kv_heads=8, head_dim=128, max_seq_len=40_960,
             rope_theta=1000000.0, tie_weights=True, rms_norm_eps=1e-6)),
    Row(_QWEN3, 'Qwen3_8B', 8_190_735_360,
        'Qwen3 8B (Qwen/Qwen3-8B): 36 layers, width 4096, 32 heads, 8 KV heads.',
        dict(vocab_size=151_936, embed_dim=4096, intermediate_size=12_288, num_layers=36,
             num_heads=32, num_kv_heads=8, head_dim=128, max_seq_len=40_960,
             rope_theta=1000000.0, tie_weights=False, rms_norm_eps=1e-6)),
    Row(_QWEN3, 'Qwen3_32B', 32_762_123_264,
        'Qwen3 32B (Qwen/Qwen3-32B): 64 layers, width 5120, 64 heads of 128, 8 KV heads.',
        dict(vocab_size=151_936, embed_dim=5120, intermediate_size=25_600, num_layers=64,
             num_heads=64, num_kv_heads=8, head_dim=128, max_seq_len=40_960,
             rope_theta=1000000.0, tie_weights=False, rms_norm_eps=1e-6)),
    Row(_QWEN3_MOE, 'Qwen3_30B_A3B', 30_532_122_624,
        'Qwen3 30B-A3B (Qwen/Qwen3-30B-A3B): 48 layers, 128 experts of width 768, top-8.',
        dict(vocab_size=151_936, embed_dim=2048, expert_dim=768, num_layers=48,
             num_heads=32, num_kv_heads=4, head_dim=128, max_seq_len=40_960,
             num_experts=128, top_k=8, rope_theta=1000000.0, tie_weights=False,
             rms_norm_eps=1e-6)),
    Row(_OLMO2, 'OLMo2_7B', 7_298_617_344,
        'OLMo 2 7B (allenai/OLMo-2-1124-7B): 32 layers, width 4096, 32 heads.',
        dict(vocab_size=100_352, embed_dim=4096, intermediate_size=11_008, num_layers=32,
             num_heads=32, num_kv_heads=32, max_seq_len=4096, rope_theta=500000.0,
             rms_norm_eps=1e-6, tie_weights=False)),
    Row(_DEEPSEEK_V2, 'DeepSeekV2_Lite', 15_706_484_224,
        'DeepSeek-V2-Lite (deepseek-ai/DeepSeek-V2-Lite): 27 layers, MLA, 64 experts + 2 shared, '
        'top-6.',
        dict(vocab_size=102_400, embed_dim=2048, num_layers=27, num_heads=16,
             max_seq_len=163_840, kv_lora_rank=512, intermediate_size=10_944, expert_dim=1408,
             num_experts=64, top_k=6, num_shared_experts=2, first_dense_layers=1,
             q_lora_rank=None, scoring='softmax', normalize_top_k=False,
             routed_scaling_factor=1.0, bias_balancing=False, rope_theta=10000.0,
             rope_scaling=deepseek_yarn(0.707), rms_norm_eps=1e-6, tie_weights=False)),
    Row(_DEEPSEEK_V3, 'DeepSeekV3', 671_026_404_352,
        'DeepSeek-V3 (deepseek-ai/DeepSeek-V3): 61 layers (3 dense), MLA, 256 experts + 1 '
        'shared, top-8; without the multi-token-prediction module.',
        dict(vocab_size=129_280, embed_dim=7168, num_layers=61, num_heads=128,
             max_seq_len=163_840, kv_lora_rank=512, intermediate_size=18_432, expert_dim=2048,
             num_experts=256, top_k=8, num_shared_experts=1, first_dense_layers=3,
             q_lora_rank=1536, scoring='sigmoid', num_groups=8, topk_groups=4,
             normalize_top_k=True, routed_scaling_factor=2.5, bias_balancing=True,
             rope_theta=10000.0, rope_scaling=deepseek_yarn(1.0), rms_norm_eps=1e-6,
             tie_weights=False)),
    Row(_GPT_OSS, 'GPTOSS_20B', 20_914_757_184,
        'gpt-oss-20b (openai/gpt-oss-20b): 24 layers, 32 experts (top-4), 64 heads of 64.',
        dict(vocab_size=201_088, embed_dim=2880, num_layers=24, num_heads=64, num_kv_heads=8,
             head_dim=64, max_seq_len=131_072, num_experts=32, top_k=4, expert_dim=2880,
             sliding_window=128, rope_theta=150000.0, rope_scaling=GPT_OSS_ROPE,
             rms_norm_eps=1e-5, tie_weights=False)),
    Row(_GPT_OSS, 'GPTOSS_120B', 116_829_156_672,
        'gpt-oss-120b (openai/gpt-oss-120b): 36 layers, 128 experts (top-4), 64 heads of 64.',
        dict(vocab_size=201_088, embed_dim=2880, num_layers=36, num_heads=64, num_kv_heads=8,
             head_dim=64, max_seq_len=131_072, num_experts=128, top_k=4, expert_dim=2880,
             sliding_window=128, rope_theta=150000.0, rope_scaling=GPT_OSS_ROPE,
             rms_norm_eps=1e-5, tie_weights=False)),
    Row(_GEMMA3, 'Gemma3_1B', 999_885_952,
        'Gemma 3 1B (google/gemma-3-1b-pt): 26 layers, width 1152, 4 heads of 256, 1 KV head.',
        dict(vocab_size=262_144, embed_dim=1152, intermediate_size=6912, num_layers=26,
             num_heads=4, num_kv_heads=1, head_dim=256, max_seq_len=32_768,
             rope_theta=1_000_000.0, rope_local_theta=10_000.0, sliding_window=512,
             query_pre_attn_scalar=256.0, tie_weights=True)),
    Row(_GEMMA3, 'Gemma3_27B', 27_009_346_304,
        'Gemma 3 27B text (google/gemma-3-27b-pt): 62 layers, width 5376, 32 heads of 128. '
        'Its global layers scale RoPE linearly by 8 for a 128k context; '
        '``query_pre_attn_scalar`` is 168 (``embed_dim / num_heads``).',
        dict(vocab_size=262_208, embed_dim=5376, intermediate_size=21_504, num_layers=62,
             num_heads=32, num_kv_heads=16, head_dim=128, max_seq_len=131_072,
             rope_theta=1_000_000.0, rope_local_theta=10_000.0,
             rope_scaling={"rope_type": "linear", "factor": 8.0}, sliding_window=1024,
             query_pre_attn_scalar=168.0, tie_weights=True)),
)

PRESETS: dict[str, PresetInfo] = {
    row.name: PresetInfo(
        name=row.name,
        family=row.family.name,
        year=row.family.year,
        notable=row.family.notable,
        hf_architecture=row.family.hf_architecture,
        params=row.params,
        row=row,
    )
    for row in ROWS
}


def _human(n: int) -> str:
    for size, unit in ((1e9, "B"), (1e6, "M")):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:,}"


def presets_markdown() -> str:
    """``docs/presets.md``: every preset as one table row, oldest family first."""
    lines = [
        "# Presets",
        "",
        "Generated from `olm/models/table.py` by `python tools/generate_data.py`; do not edit.",
        "Each preset is `FamilyClass(**config)` with the published numbers, e.g.",
        "`from olm.models import Llama3_1_8B`; the parameter counts are exact (tied weights",
        "counted once) and checked against `transformers` by the tests.",
        "",
        "| preset | family | year | parameters | layers | width | notable choices |",
        "|---|---|---|---|---|---|---|",
    ]
    for info in sorted(PRESETS.values(), key=lambda i: (i.year, i.family, i.params)):
        config = info.row.config
        lines.append(
            f"| `{info.name}` | {info.family} | {info.year} | {_human(info.params)} "
            f"({info.params:,}) | {config['num_layers']} | {config['embed_dim']} | {info.notable} |"
        )
    return "\n".join(lines) + "\n"
