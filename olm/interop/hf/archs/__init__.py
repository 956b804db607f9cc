"""The `transformers` architectures olm models can be exported to and imported from."""

from olm.interop.hf.archs.base import Architecture, ConfigView
from olm.interop.hf.archs.deepseek import DeepseekV2Arch, DeepseekV3Arch
from olm.interop.hf.archs.gemma2 import Gemma2Arch
from olm.interop.hf.archs.gemma3 import Gemma3Arch
from olm.interop.hf.archs.gpt2 import GPT2Arch
from olm.interop.hf.archs.gpt_oss import GptOssArch
from olm.interop.hf.archs.llama import LlamaArch, MistralArch, MixtralArch, Qwen2Arch
from olm.interop.hf.archs.olmo2 import Olmo2Arch
from olm.interop.hf.archs.qwen3 import Qwen3Arch, Qwen3MoeArch

__all__ = ["ARCHITECTURES", "Architecture", "ConfigView", "architecture_named"]

# In order of preference: a model several can express is exported as the first.
ARCHITECTURES: tuple[Architecture, ...] = (
    GPT2Arch(),
    LlamaArch(),
    Qwen2Arch(),
    MistralArch(),
    MixtralArch(),
    Gemma2Arch(),
    Gemma3Arch(),
    Qwen3Arch(),
    Qwen3MoeArch(),
    Olmo2Arch(),
    GptOssArch(),
    DeepseekV3Arch(),
    DeepseekV2Arch(),
)


def architecture_named(name: str) -> Architecture | None:
    """The architecture with this class name (``"LlamaForCausalLM"``) or model type."""
    for arch in ARCHITECTURES:
        if name in (arch.name, arch.model_type):
            return arch
    return None
