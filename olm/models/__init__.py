"""Reference models: each published architecture as a family class plus no-argument presets.

Three tiers, as in torchtune: the components (``olm.nn``), one configurable family class
per architecture (``Llama3Model(...)``, built only from components with ``Block``,
``Residual`` and ``Repeat``), and presets that only fill in the published numbers
(``Llama3_1_8B()``). Each preset is a row of :mod:`olm.models.table`; ``PRESETS``
describes every preset (year, notable choices, exact parameter count) without building it
or importing torch, and presets are registered by name in ``olm.core.registry.MODELS``
when their family module is imported. Names are imported on first use.

Everything honours torch's default device, so ``with torch.device("meta"): Llama3_1_405B()``
allocates nothing and its parameters can still be counted.
"""

import importlib

from olm.core.lazy import lazy_exports
from olm.core.registry import MODELS

__all__ = [
    # metadata
    "PRESETS",
    "PresetInfo",
    # family classes
    "GPT2Model",
    "Llama2Model",
    "Llama3Model",
    "Qwen2Model",
    "Qwen3Model",
    "Qwen3MoeModel",
    "DeepSeekModel",
    "GPTOSSModel",
    "MistralModel",
    "MixtralModel",
    "Gemma2Model",
    "Gemma3Model",
    "Phi3Model",
    "Phi4Model",
    "OLMoModel",
    "OLMo2Model",
    "OPTModel",
    # presets
    "GPT2",
    "GPT2Medium",
    "GPT2Large",
    "GPT2XL",
    "Llama2_7B",
    "Llama2_13B",
    "Llama2_70B",
    "Llama3_1_8B",
    "Llama3_1_70B",
    "Llama3_1_405B",
    "Llama3_2_1B",
    "Llama3_2_3B",
    "Qwen2_5_0_5B",
    "Qwen2_5_1_5B",
    "Qwen2_5_3B",
    "Qwen2_5_7B",
    "Qwen2_5_14B",
    "Qwen2_5_32B",
    "Qwen2_5_72B",
    "Qwen3_0_6B",
    "Qwen3_8B",
    "Qwen3_32B",
    "Qwen3_30B_A3B",
    "DeepSeekV2_Lite",
    "DeepSeekV3",
    "GPTOSS_20B",
    "GPTOSS_120B",
    "Mistral_7B",
    "Mixtral_8x7B",
    "Gemma2_2B",
    "Gemma2_9B",
    "Gemma2_27B",
    "Gemma3_1B",
    "Gemma3_27B",
    "Phi3_5_Mini",
    "Phi4_14B",
    "OLMo_7B",
    "OLMo2_7B",
    "OPT125M",
]

__getattr__, __dir__ = lazy_exports(__name__, {
    "PRESETS": "olm.models.table",
    "PresetInfo": "olm.models.table",
    "Gemma2_2B": "olm.models.gemma2",
    "Gemma2_9B": "olm.models.gemma2",
    "Gemma2_27B": "olm.models.gemma2",
    "Gemma2Model": "olm.models.gemma2",
    "Gemma3_1B": "olm.models.gemma3",
    "Gemma3_27B": "olm.models.gemma3",
    "Gemma3Model": "olm.models.gemma3",
    "GPT2": "olm.models.gpt2",
    "GPT2XL": "olm.models.gpt2",
    "GPT2Large": "olm.models.gpt2",
    "GPT2Medium": "olm.models.gpt2",
    "GPT2Model": "olm.models.gpt2",
    "Llama2_7B": "olm.models.llama2",
    "Llama2_13B": "olm.models.llama2",
    "Llama2_70B": "olm.models.llama2",
    "Llama2Model": "olm.models.llama2",
    "Llama3_1_8B": "olm.models.llama3",
    "Llama3_1_70B": "olm.models.llama3",
    "Llama3_1_405B": "olm.models.llama3",
    "Llama3_2_1B": "olm.models.llama3",
    "Llama3_2_3B": "olm.models.llama3",
    "Llama3Model": "olm.models.llama3",
    "Mistral_7B": "olm.models.mistral",
    "MistralModel": "olm.models.mistral",
    "Mixtral_8x7B": "olm.models.mixtral",
    "MixtralModel": "olm.models.mixtral",
    "OLMo_7B": "olm.models.olmo",
    "OLMoModel": "olm.models.olmo",
    "OPT125M": "olm.models.opt",
    "OPTModel": "olm.models.opt",
    "Phi3_5_Mini": "olm.models.phi3",
    "Phi3Model": "olm.models.phi3",
    "Phi4_14B": "olm.models.phi4",
    "Phi4Model": "olm.models.phi4",
    "Qwen2_5_0_5B": "olm.models.qwen2",
    "Qwen2_5_1_5B": "olm.models.qwen2",
    "Qwen2_5_3B": "olm.models.qwen2",
    "Qwen2_5_7B": "olm.models.qwen2",
    "Qwen2_5_14B": "olm.models.qwen2",
    "Qwen2_5_32B": "olm.models.qwen2",
    "Qwen2_5_72B": "olm.models.qwen2",
    "Qwen2Model": "olm.models.qwen2",
    "Qwen3_0_6B": "olm.models.qwen3",
    "Qwen3_8B": "olm.models.qwen3",
    "Qwen3_32B": "olm.models.qwen3",
    "Qwen3_30B_A3B": "olm.models.qwen3",
    "Qwen3Model": "olm.models.qwen3",
    "Qwen3MoeModel": "olm.models.qwen3",
    "OLMo2_7B": "olm.models.olmo2",
    "OLMo2Model": "olm.models.olmo2",
    "DeepSeekV2_Lite": "olm.models.deepseek",
    "DeepSeekV3": "olm.models.deepseek",
    "DeepSeekModel": "olm.models.deepseek",
    "GPTOSS_20B": "olm.models.gpt_oss",
    "GPTOSS_120B": "olm.models.gpt_oss",
    "GPTOSSModel": "olm.models.gpt_oss",
})


def _load_preset(name: str) -> None:
    """Import the family module of preset ``name`` so that it registers in ``MODELS``."""
    from olm.models.table import PRESETS

    if name in PRESETS:
        importlib.import_module(PRESETS[name].row.family.module)


MODELS.loader = _load_preset
