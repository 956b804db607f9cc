"""Other ways the same checkpoint can be stored: transformers 4 configs, the original GPT-2
tensor names, fused Mixtral experts; and the config each architecture writes."""

from __future__ import annotations

import json

import pytest
import torch
from hf_tiny import cases, prompt, save_hf_checkpoint
from safetensors.torch import load_file, save_file

from olm.core.errors import OLMError
from olm.interop.hf import ARCHITECTURES, DecoderSpec, choose_architecture, load_hf
from olm.interop.hf.archs import ConfigView

CASES = {c.name: c for c in cases()}


def _rewrite(folder, edit_tensors=None, **config_changes):
    if edit_tensors is not None:
        tensors = load_file(str(folder / "model.safetensors"))
        tensors = edit_tensors(tensors)
        save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = json.loads((folder / "config.json").read_text())
    for key, value in config_changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    (folder / "config.json").write_text(json.dumps(config))


def _logits_match(model, hf):
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(model(ids), hf(ids).logits, atol=1e-4, rtol=0)


def test_transformers4_rope_fields(tmp_path):
    hf = save_hf_checkpoint(CASES["llama31_rope_scaling"].config, tmp_path)
    legacy = {
        "type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8,
    }
    _rewrite(tmp_path, rope_parameters=None, rope_theta=500000.0, rope_scaling=legacy)
    _logits_match(load_hf(tmp_path), hf)


def test_original_gpt2_names_and_mask_buffers(tmp_path):
    hf = save_hf_checkpoint(CASES["gpt2"].config, tmp_path)

    def original(tensors):
        out = {k.removeprefix("transformer."): v for k, v in tensors.items()}
        for i in range(2):  # the causal-mask buffers the 2019 checkpoints carry
            out[f"h.{i}.attn.bias"] = torch.tril(torch.ones(1, 1, 32, 32))
        return out

    _rewrite(tmp_path, original)
    _logits_match(load_hf(tmp_path), hf)


def test_fused_mixtral_experts(tmp_path):
    hf = save_hf_checkpoint(CASES["mixtral"].config, tmp_path)

    def fuse(tensors):
        out = {k: v for k, v in tensors.items() if "block_sparse_moe" not in k}
        for i in range(2):
            p = f"model.layers.{i}.block_sparse_moe."
            e = range(4)
            out[f"model.layers.{i}.mlp.gate.weight"] = tensors[p + "gate.weight"]
            out[f"model.layers.{i}.mlp.experts.gate_up_proj"] = torch.stack(
                [
                    torch.cat(
                        [tensors[f"{p}experts.{x}.w1.weight"], tensors[f"{p}experts.{x}.w3.weight"]]
                    )
                    for x in e
                ]
            )
            out[f"model.layers.{i}.mlp.experts.down_proj"] = torch.stack(
                [tensors[f"{p}experts.{x}.w2.weight"] for x in e]
            )
        return out

    _rewrite(tmp_path, fuse)
    _logits_match(load_hf(tmp_path), hf)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_round_trip_through_each_architecture(name, tmp_path):
    """spec → config.json → spec is the identity, and transformers accepts the config."""
    import transformers as T

    case = CASES[name]
    config = case.config.to_dict()
    arch = next(a for a in ARCHITECTURES if a.model_type == config["model_type"])
    spec = arch.from_config(ConfigView(config, arch.name))
    written = arch.to_config(spec)
    assert arch.from_config(ConfigView(written, arch.name)) == spec
    assert choose_architecture(spec).name == arch.name or name == "llama_mha_tied"
    rebuilt = T.AutoConfig.for_model(**written)
    assert type(rebuilt).__name__ == type(case.config).__name__


def test_plain_llama_prefers_llama_and_windowed_prefers_mistral():
    base = dict(
        vocab_size=64,
        hidden_size=32,
        num_layers=2,
        num_heads=4,
        num_kv_heads=2,
        head_dim=8,
        intermediate_size=48,
        max_positions=64,
    )
    assert choose_architecture(DecoderSpec(**base)).name == "LlamaForCausalLM"
    windowed = DecoderSpec(**base, sliding_windows=[4, 4])
    assert choose_architecture(windowed).name == "MistralForCausalLM"
    alternating = DecoderSpec(**base, sliding_windows=[4, None])
    with pytest.raises(
        OLMError, match=r"attention windows \[4, None\] per layer, which LlamaForCausalLM"
    ):
        choose_architecture(alternating)
    with pytest.raises(OLMError, match=r"which MistralForCausalLM cannot express"):
        choose_architecture(alternating, "MistralForCausalLM")
    qwen_like = DecoderSpec(**base, qkv_bias=True, sliding_windows=[None, 4])
    assert choose_architecture(qwen_like).name == "Qwen2ForCausalLM"
