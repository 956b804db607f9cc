"""Tiny versions of each family compute the same logits as `transformers`' own models.

For each family a tiny Hugging Face model is built locally from a config (nothing is
downloaded), its weights are perturbed so that norms and biases are not trivially 1/0,
then copied into the matching `olm` family model by walking both structures. The logits
must agree to float32 precision. This checks the wiring choices the presets rely on:
norm placement and epsilon, biases, head sizes, RoPE theta and "llama3" scaling, sliding
windows, Gemma 2's scaling and soft caps, MoE routing, OPT's position offset.
"""

from __future__ import annotations

from typing import Callable

import pytest
import torch
from torch import Tensor, nn
from transformers import (
    AutoModelForCausalLM,
    Gemma2Config,
    GPT2Config,
    LlamaConfig,
    MistralConfig,
    MixtralConfig,
    OlmoConfig,
    OPTConfig,
    Phi3Config,
    PretrainedConfig,
    Qwen2Config,
)

from olm.models import (
    Gemma2Model,
    GPT2Model,
    Llama2Model,
    Llama3Model,
    MistralModel,
    MixtralModel,
    OLMoModel,
    OPTModel,
    Phi3Model,
    Phi4Model,
    Qwen2Model,
)
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import AbsolutePositionalEmbedding, Embedding
from olm.nn.structure import Repeat, Residual

V, D, HID, N = 96, 32, 64, 12
SMALL = dict(vocab_size=V, hidden_size=D, intermediate_size=HID, num_hidden_layers=2,
             num_attention_heads=4, pad_token_id=0, bos_token_id=1, eos_token_id=2,
             rms_norm_eps=1e-5)
LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 16}


# --- walking our structure -------------------------------------------------------------

def decoder_layers(model: nn.Module) -> list[nn.Module]:
    """The decoder layers in order (Gemma 2's local/global pairs flattened)."""
    stack = next(m for m in model.modules() if isinstance(m, Repeat))
    layers = []
    for item in stack.stack:
        if isinstance(item.blocks[0], Residual):
            layers.append(item)
        else:
            layers.extend(item.blocks)
    return layers


def sublayers(layer: nn.Module) -> tuple[list[nn.Module], list[nn.Module]]:
    """(attention skip's children, feed-forward skip's children)."""
    return list(layer.blocks[0].block.blocks), list(layer.blocks[1].block.blocks)


def single(model: nn.Module, cls: type) -> nn.Module:
    (found,) = [m for m in model.modules() if isinstance(m, cls)]
    return found


def final_norm(model: nn.Module) -> nn.Module:
    """The norm right after the stack (or inside the head for GPT-2)."""
    children = list(model.blocks)
    index = next(i for i, c in enumerate(children) if isinstance(c, Repeat))
    after = children[index + 1]
    return after.norm if isinstance(after, OutputHead) else after


# --- copying -----------------------------------------------------------------------------

def put(dst: Tensor | None, src: Tensor) -> None:
    assert dst is not None and dst.shape == src.shape, (None if dst is None else dst.shape, src.shape)
    dst.copy_(src)


def put_rms(ours: nn.Module, hf_norm: nn.Module, unit_offset: bool = False) -> None:
    put(ours.weight, hf_norm.weight + 1.0 if unit_offset else hf_norm.weight)


def put_ln(ours: nn.Module, hf_norm: nn.Module) -> None:
    put(ours.gamma, hf_norm.weight)
    put(ours.beta, hf_norm.bias)


def put_linear(ours: nn.Linear, weight: Tensor, bias: Tensor | None = None) -> None:
    put(ours.weight, weight)
    if bias is not None or ours.bias is not None:
        put(ours.bias, bias)


def put_attention(ours: nn.Module, hf_attn: nn.Module) -> None:
    for mine, theirs in [("q_proj", "q_proj"), ("k_proj", "k_proj"), ("v_proj", "v_proj"),
                         ("out_proj", "o_proj" if hasattr(hf_attn, "o_proj") else "out_proj")]:
        src = getattr(hf_attn, theirs)
        put_linear(getattr(ours, mine), src.weight, src.bias)


def put_gated(ours: nn.Module, up: Tensor, gate: Tensor, down: Tensor) -> None:
    put(ours.up_proj.weight, torch.cat([up, gate]))  # rows: value, then gate
    put(ours.down_proj.weight, down)


def put_head(model: nn.Module, hf: nn.Module) -> None:
    head = single(model, OutputHead)
    if not head.tied:
        put(head.weight, hf.lm_head.weight)


def copy_llama_like(model: nn.Module, hf: nn.Module, fused: bool = False) -> None:
    """Llama, Qwen 2, Mistral, Mixtral, Phi-3 (fused q/k/v and gate/up), OLMo."""
    put(single(model, Embedding).embedding.weight, hf.model.embed_tokens.weight)
    for layer, hl in zip(decoder_layers(model), hf.model.layers, strict=True):
        (norm1, attn), (norm2, ffn) = sublayers(layer)
        if hasattr(norm1, "weight"):  # OLMo's norms have no parameters
            put_rms(norm1, hl.input_layernorm)
            put_rms(norm2, hl.post_attention_layernorm)
        if fused:
            q, k, v = hl.self_attn.qkv_proj.weight.split(
                [attn.q_proj.out_features, attn.k_proj.out_features, attn.v_proj.out_features]
            )
            put(attn.q_proj.weight, q), put(attn.k_proj.weight, k), put(attn.v_proj.weight, v)
            put(attn.out_proj.weight, hl.self_attn.o_proj.weight)
            gate, up = hl.mlp.gate_up_proj.weight.chunk(2)
            put_gated(ffn, up, gate, hl.mlp.down_proj.weight)
            continue
        put_attention(attn, hl.self_attn)
        if hasattr(hl.mlp, "experts"):  # Mixtral: fused per-expert [gate; up] tensors
            put(ffn.router.gate.weight, hl.mlp.gate.weight)
            for e, expert in enumerate(ffn.experts):
                gate, up = hl.mlp.experts.gate_up_proj[e].chunk(2)
                put_gated(expert, up, gate, hl.mlp.experts.down_proj[e])
        else:
            put_gated(ffn, hl.mlp.up_proj.weight, hl.mlp.gate_proj.weight, hl.mlp.down_proj.weight)
    if hasattr(final_norm(model), "weight"):
        put_rms(final_norm(model), hf.model.norm)
    put_head(model, hf)


def copy_gemma2(model: nn.Module, hf: nn.Module) -> None:
    put(single(model, Embedding).embedding.weight, hf.model.embed_tokens.weight)
    for layer, hl in zip(decoder_layers(model), hf.model.layers, strict=True):
        (pre_a, attn, post_a), (pre_f, ffn, post_f) = sublayers(layer)
        put_rms(pre_a, hl.input_layernorm, unit_offset=True)  # Gemma scales by (1 + w)
        put_rms(post_a, hl.post_attention_layernorm, unit_offset=True)
        put_rms(pre_f, hl.pre_feedforward_layernorm, unit_offset=True)
        put_rms(post_f, hl.post_feedforward_layernorm, unit_offset=True)
        put_attention(attn, hl.self_attn)
        put_gated(ffn, hl.mlp.up_proj.weight, hl.mlp.gate_proj.weight, hl.mlp.down_proj.weight)
    put_rms(final_norm(model), hf.model.norm, unit_offset=True)


def copy_gpt2(model: nn.Module, hf: nn.Module) -> None:
    t = hf.transformer
    put(single(model, Embedding).embedding.weight, t.wte.weight)
    put(single(model, AbsolutePositionalEmbedding).pos_embedding.weight, t.wpe.weight)
    for layer, hl in zip(decoder_layers(model), t.h, strict=True):
        (ln1, attn), (ln2, ffn) = sublayers(layer)
        put_ln(ln1, hl.ln_1)
        put_ln(ln2, hl.ln_2)
        # Conv1D stores [in, out]; q, k, v are column blocks of c_attn
        for proj, w, b in zip((attn.q_proj, attn.k_proj, attn.v_proj),
                              hl.attn.c_attn.weight.t().chunk(3), hl.attn.c_attn.bias.chunk(3)):
            put_linear(proj, w, b)
        put_linear(attn.out_proj, hl.attn.c_proj.weight.t(), hl.attn.c_proj.bias)
        put_linear(ffn.up_proj, hl.mlp.c_fc.weight.t(), hl.mlp.c_fc.bias)
        put_linear(ffn.down_proj, hl.mlp.c_proj.weight.t(), hl.mlp.c_proj.bias)
    put_ln(final_norm(model), t.ln_f)


def copy_opt(model: nn.Module, hf: nn.Module) -> None:
    dec = hf.model.decoder
    put(single(model, Embedding).embedding.weight, dec.embed_tokens.weight)
    table = single(model, AbsolutePositionalEmbedding).pos_embedding.weight
    offset = dec.embed_positions.offset  # HF looks position p up at row p + 2
    put(table, torch.roll(dec.embed_positions.weight, -offset, dims=0))
    for layer, hl in zip(decoder_layers(model), dec.layers, strict=True):
        (ln1, attn), (ln2, ffn) = sublayers(layer)
        put_ln(ln1, hl.self_attn_layer_norm)
        put_ln(ln2, hl.final_layer_norm)
        put_attention(attn, hl.self_attn)
        put_linear(ffn.up_proj, hl.fc1.weight, hl.fc1.bias)
        put_linear(ffn.down_proj, hl.fc2.weight, hl.fc2.bias)
    put_ln(final_norm(model), dec.final_layer_norm)


# --- the cases ---------------------------------------------------------------------------

Case = tuple[Callable[[], PretrainedConfig], Callable[[], nn.Module], Callable]

CASES: dict[str, Case] = {
    "gpt2": (
        lambda: GPT2Config(vocab_size=V, n_positions=32, n_embd=D, n_layer=2, n_head=4,
                           resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0),
        lambda: GPT2Model(V, D, 2, 4, 32, dropout=0.0, tie_weights=True),
        copy_gpt2,
    ),
    "llama2_mha": (
        lambda: LlamaConfig(**SMALL, num_key_value_heads=4, tie_word_embeddings=False),
        lambda: Llama2Model(V, D, HID, 2, 4, 4, 32, tie_weights=False),
        copy_llama_like,
    ),
    "llama3_scaled_rope": (
        lambda: LlamaConfig(**SMALL, num_key_value_heads=2, max_position_embeddings=128,
                            rope_parameters={**LLAMA3_ROPE, "rope_theta": 500000.0},
                            tie_word_embeddings=True),
        lambda: Llama3Model(V, D, HID, 2, 4, 2, 128, rope_scaling=LLAMA3_ROPE),
        copy_llama_like,
    ),
    "qwen2": (
        lambda: Qwen2Config(**{**SMALL, "rms_norm_eps": 1e-6}, num_key_value_heads=2,
                            rope_parameters={"rope_type": "default", "rope_theta": 1e6},
                            tie_word_embeddings=False),
        lambda: Qwen2Model(V, D, HID, 2, 4, 2, 32, rope_theta=1e6, tie_weights=False),
        copy_llama_like,
    ),
    "mistral_window": (
        lambda: MistralConfig(**SMALL, num_key_value_heads=2, sliding_window=4,
                              tie_word_embeddings=False),
        lambda: MistralModel(V, D, HID, 2, 4, 2, 32, sliding_window=4, tie_weights=False),
        copy_llama_like,
    ),
    "mixtral": (
        lambda: MixtralConfig(**SMALL, num_key_value_heads=2, num_local_experts=4,
                              num_experts_per_tok=2, tie_word_embeddings=False),
        lambda: MixtralModel(V, D, HID, 2, 4, 2, 32, num_experts=4, top_k=2,
                             tie_weights=False),
        copy_llama_like,
    ),
    "gemma2": (
        lambda: Gemma2Config(**{**SMALL, "rms_norm_eps": 1e-6}, num_key_value_heads=2,
                             head_dim=16, sliding_window=4,
                             query_pre_attn_scalar=24, attn_logit_softcapping=5.0,
                             final_logit_softcapping=3.0, max_position_embeddings=32),
        lambda: Gemma2Model(V, D, HID, 2, 4, 2, 16, 32, sliding_window=4,
                            attn_logit_softcap=5.0, final_logit_softcap=3.0,
                            query_pre_attn_scalar=24.0),
        copy_gemma2,
    ),
    "phi3_fused": (
        lambda: Phi3Config(**SMALL, num_key_value_heads=4, tie_word_embeddings=False),
        lambda: Phi3Model(V, D, HID, 2, 4, 4, 32, tie_weights=False),
        lambda m, hf: copy_llama_like(m, hf, fused=True),
    ),
    "phi4_gqa": (
        lambda: Phi3Config(**SMALL, num_key_value_heads=2, tie_word_embeddings=False,
                           rope_parameters={"rope_type": "default", "rope_theta": 250000.0}),
        lambda: Phi4Model(V, D, HID, 2, 4, 2, 32, tie_weights=False),
        lambda m, hf: copy_llama_like(m, hf, fused=True),
    ),
    "olmo": (
        lambda: OlmoConfig(**SMALL, num_key_value_heads=4, max_position_embeddings=32,
                           tie_word_embeddings=False),
        lambda: OLMoModel(V, D, HID, 2, 4, max_seq_len=32, tie_weights=False),
        copy_llama_like,
    ),
    "opt": (
        lambda: OPTConfig(vocab_size=V, hidden_size=D, ffn_dim=HID, num_hidden_layers=2,
                          num_attention_heads=4, max_position_embeddings=32,
                          word_embed_proj_dim=D, dropout=0.0, pad_token_id=1,
                          bos_token_id=2, eos_token_id=2),
        lambda: OPTModel(V, D, HID, 2, 4, dropout=0.0, max_seq_len=32),
        copy_opt,
    ),
}


def perturb(hf: nn.Module) -> None:
    """Give norms and biases (initialised to exact 1s and 0s) random values too."""
    for p in hf.parameters():
        if p.dim() == 1:
            p.add_(0.1 * torch.randn_like(p))


@pytest.mark.parametrize("name", sorted(CASES))
def test_logits_match_transformers(name: str) -> None:
    make_config, make_ours, copy = CASES[name]
    torch.manual_seed(0)
    config = make_config()
    config._attn_implementation = "eager"
    hf = AutoModelForCausalLM.from_config(config).eval()
    ours = make_ours().eval()
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in hf.parameters())
    with torch.no_grad():
        perturb(hf)
        copy(ours, hf)
        ids = torch.randint(0, V, (2, N))
        expected = hf(ids).logits
        actual = ours(ids)
    torch.testing.assert_close(actual, expected, atol=2e-5, rtol=1e-4)
