"""Reference models: each published architecture as a family class plus no-argument presets.

Three tiers, as in torchtune: the components (``olm.nn``), one configurable family class
per architecture (``Llama3Model(...)``, built only from components with ``Block``,
``Residual`` and ``Repeat``), and presets that only fill in the published numbers
(``Llama3_1_8B()``). ``PRESETS`` describes every preset (year, notable choices, exact
parameter count) without building it; presets are also registered by name in
``olm.core.registry.MODELS``.

Everything honours torch's default device, so ``with torch.device("meta"): Llama3_1_405B()``
allocates nothing and its parameters can still be counted.
"""

from olm.models._preset import PRESETS, PresetInfo
from olm.models.deepseek import DeepSeekModel, DeepSeekV2_Lite, DeepSeekV3
from olm.models.gemma2 import Gemma2_2B, Gemma2_9B, Gemma2_27B, Gemma2Model
from olm.models.gemma3 import Gemma3_1B, Gemma3_27B, Gemma3Model
from olm.models.gpt2 import GPT2, GPT2XL, GPT2Large, GPT2Medium, GPT2Model
from olm.models.gpt_oss import GPTOSS_20B, GPTOSS_120B, GPTOSSModel
from olm.models.llama2 import Llama2_7B, Llama2_13B, Llama2_70B, Llama2Model
from olm.models.llama3 import (
    Llama3_1_8B,
    Llama3_1_70B,
    Llama3_1_405B,
    Llama3_2_1B,
    Llama3_2_3B,
    Llama3Model,
)
from olm.models.mistral import Mistral_7B, MistralModel
from olm.models.mixtral import Mixtral_8x7B, MixtralModel
from olm.models.olmo import OLMo_7B, OLMoModel
from olm.models.olmo2 import OLMo2_7B, OLMo2Model
from olm.models.opt import OPT125M, OPTModel
from olm.models.phi3 import Phi3_5_Mini, Phi3Model
from olm.models.phi4 import Phi4_14B, Phi4Model
from olm.models.qwen2 import (
    Qwen2_5_0_5B,
    Qwen2_5_1_5B,
    Qwen2_5_3B,
    Qwen2_5_7B,
    Qwen2_5_14B,
    Qwen2_5_32B,
    Qwen2_5_72B,
    Qwen2Model,
)
from olm.models.qwen3 import (
    Qwen3_0_6B,
    Qwen3_8B,
    Qwen3_30B_A3B,
    Qwen3_32B,
    Qwen3Model,
    Qwen3MoeModel,
)

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
