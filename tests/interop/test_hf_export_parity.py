"""Export: an olm model with random weights → `save_hf` → `transformers` loads it and
computes the same logits; and the folder imports back into the same olm family."""

from __future__ import annotations

import json

import pytest
import torch
from hf_tiny import VOCAB, load_transformers, prompt, randomize

from olm.data.tokenizers import ByteTokenizer
from olm.interop.hf import load_hf, save_hf
from olm.models import (
    DeepSeekModel,
    Gemma2Model,
    Gemma3Model,
    GPT2Model,
    GPTOSSModel,
    Llama2Model,
    Llama3Model,
    MistralModel,
    MixtralModel,
    OLMo2Model,
    OPTModel,
    Phi3Model,
    Qwen2Model,
    Qwen3Model,
    Qwen3MoeModel,
)
from olm.models.llama3 import llama3_rope_scaling
from olm.nn.attention import GroupedQueryAttention
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import ClassicFFN, SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block, Repeat, Residual

D, HIDDEN, L = 32, 48, 2
RMS = dict(vocab_size=VOCAB, embed_dim=D, intermediate_size=HIDDEN, num_layers=L, num_heads=4)


def _hand_built_llama(bias: bool) -> Block:
    """The reference page's "modern block" (tiny), as a user would type it."""
    embedding = Embedding(VOCAB, D)
    return Block(
        [
            embedding,
            Repeat(
                lambda: Block(
                    [
                        Residual(
                            Block(
                                [
                                    RMSNorm(D),
                                    GroupedQueryAttention(
                                        D, 4, 2, 64, use_bias=bias, qkv_bias=bias
                                    ),
                                ]
                            )
                        ),
                        Residual(Block([RMSNorm(D), SwiGLUFFN(D, hidden_dim=HIDDEN, bias=bias)])),
                    ]
                ),
                L,
            ),
            RMSNorm(D),
            OutputHead(D, VOCAB, use_norm=False),
        ]
    )


def _qwen_like_with_sliding_top_layer() -> Block:
    """Qwen 2's optional sliding window, on the upper layer only (its max_window_layers)."""
    embedding = Embedding(VOCAB, D)

    def layer(window):
        return Block(
            [
                Residual(
                    Block(
                        [
                            RMSNorm(D, eps=1e-6),
                            GroupedQueryAttention(
                                D, 4, 2, 64, qkv_bias=True, sliding_window=window
                            ),
                        ]
                    )
                ),
                Residual(
                    Block([RMSNorm(D, eps=1e-6), SwiGLUFFN(D, hidden_dim=HIDDEN, bias=False)])
                ),
            ]
        )

    return Block(
        [
            embedding,
            layer(None),
            layer(4),
            RMSNorm(D, eps=1e-6),
            OutputHead(D, VOCAB, use_norm=False),
        ]
    )


def _gpt2_with_relu_mlp() -> GPT2Model:
    """A GPT-2 whose MLPs were swapped for ReLU ones (as in the Studio)."""
    model = GPT2Model(VOCAB, D, L, 4, 32, dropout=0.0)
    for layer in model.blocks[2].stack:
        layer.blocks[1].block.blocks[1] = ClassicFFN(D, hidden_dim=40, activation_fn="relu")
    return model


MODELS = {
    "gpt2": (lambda: GPT2Model(VOCAB, D, L, 4, 32, dropout=0.0), "GPT2LMHeadModel"),
    "gpt2_untied": (
        lambda: GPT2Model(VOCAB, D, L, 4, 32, dropout=0.0, tie_weights=False),
        "GPT2LMHeadModel",
    ),
    "gpt2_relu_mlp": (_gpt2_with_relu_mlp, "GPT2LMHeadModel"),
    "llama31_gqa_untied": (
        lambda: Llama3Model(
            **RMS,
            num_kv_heads=2,
            max_seq_len=64,
            tie_weights=False,
            rope_scaling={**llama3_rope_scaling(8.0), "original_max_position_embeddings": 8},
        ),
        "LlamaForCausalLM",
    ),
    "llama_mha_tied": (
        lambda: Llama3Model(**RMS, num_kv_heads=4, max_seq_len=64),
        "LlamaForCausalLM",
    ),
    "hand_built_llama": (lambda: _hand_built_llama(bias=False), "LlamaForCausalLM"),
    "hand_built_llama_biases": (lambda: _hand_built_llama(bias=True), "LlamaForCausalLM"),
    # Other families whose structure happens to be one of the six architectures.
    "llama2_mha": (lambda: Llama2Model(**RMS, num_kv_heads=4, max_seq_len=64), "LlamaForCausalLM"),
    "phi3_geglu": (
        lambda: Phi3Model(**RMS, num_kv_heads=2, max_seq_len=64, activation="geglu"),
        "LlamaForCausalLM",
    ),
    "opt": (
        lambda: OPTModel(VOCAB, D, HIDDEN, L, 4, dropout=0.0, max_seq_len=32),
        "GPT2LMHeadModel",
    ),
    "qwen2_sliding_top_layer": (_qwen_like_with_sliding_top_layer, "Qwen2ForCausalLM"),
    "qwen2": (lambda: Qwen2Model(**RMS, num_kv_heads=2, max_seq_len=64), "Qwen2ForCausalLM"),
    "olmo2": (
        lambda: OLMo2Model(**RMS, num_kv_heads=2, max_seq_len=64),
        "Olmo2ForCausalLM",
    ),
    "qwen3": (
        lambda: Qwen3Model(**RMS, num_kv_heads=2, head_dim=16, max_seq_len=64),
        "Qwen3ForCausalLM",
    ),
    "qwen3_moe": (
        lambda: Qwen3MoeModel(
            VOCAB, D, 24, L, 4, num_kv_heads=2, head_dim=8, max_seq_len=64, num_experts=4,
            top_k=2,
        ),
        "Qwen3MoeForCausalLM",
    ),
    "deepseek_v3": (
        lambda: DeepSeekModel(
            VOCAB, D, 3, 4, 64, kv_lora_rank=16, intermediate_size=HIDDEN, expert_dim=12,
            num_experts=8, top_k=2, num_shared_experts=1, first_dense_layers=1, q_lora_rank=24,
            qk_nope_head_dim=8, qk_rope_head_dim=4, v_head_dim=8, num_groups=4, topk_groups=2,
            routed_scaling_factor=2.5,
        ),
        "DeepseekV3ForCausalLM",
    ),
    "deepseek_v2": (
        lambda: DeepSeekModel(
            VOCAB, D, 2, 4, 64, kv_lora_rank=16, intermediate_size=HIDDEN, expert_dim=12,
            num_experts=8, top_k=3, num_shared_experts=2, first_dense_layers=1,
            qk_nope_head_dim=8, qk_rope_head_dim=4, v_head_dim=8, scoring="softmax",
            normalize_top_k=False, bias_balancing=False,
        ),
        "DeepseekV2ForCausalLM",
    ),
    "mistral": (
        lambda: MistralModel(**RMS, num_kv_heads=2, max_seq_len=64, sliding_window=4),
        "MistralForCausalLM",
    ),
    "mixtral": (
        lambda: MixtralModel(
            **RMS, num_kv_heads=2, max_seq_len=64, num_experts=4, tie_weights=False
        ),
        "MixtralForCausalLM",
    ),
    "gemma2": (
        lambda: Gemma2Model(
            **RMS,
            num_kv_heads=2,
            head_dim=8,
            max_seq_len=64,
            sliding_window=4,
            attn_logit_softcap=2.0,
            final_logit_softcap=3.0,
            query_pre_attn_scalar=12.0,
        ),
        "Gemma2ForCausalLM",
    ),
    "gpt_oss": (
        lambda: GPTOSSModel(
            VOCAB, D, 3, 4, 2, head_dim=8, max_seq_len=64, num_experts=4, top_k=2,
            expert_dim=24, sliding_window=4,
            rope_scaling={"rope_type": "yarn", "factor": 4.0,
                          "original_max_position_embeddings": 8, "beta_fast": 32.0,
                          "beta_slow": 1.0, "truncate": False},
        ),
        "GptOssForCausalLM",
    ),
    "gemma3": (
        lambda: Gemma3Model(
            **{**RMS, "num_layers": 7},
            num_kv_heads=2,
            head_dim=8,
            max_seq_len=64,
            sliding_window=4,
            rope_theta=1000.0,
            rope_local_theta=50.0,
            rope_scaling={"rope_type": "linear", "factor": 4.0},
            query_pre_attn_scalar=12.0,
        ),
        "Gemma3ForCausalLM",
    ),
}


IMPORTED_AS = {
    "gpt2_relu_mlp": "Block",
    "hand_built_llama": "Llama3Model",
    "hand_built_llama_biases": "Block",
    "qwen2_sliding_top_layer": "Block",
    "llama2_mha": "Llama3Model",
    "phi3_geglu": "Block",
    "opt": "Block",
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_export_loads_in_transformers_with_same_logits(name, tmp_path):
    make, architecture = MODELS[name]
    torch.manual_seed(0)
    model = randomize(make()).eval()
    save_hf(model, tmp_path / "out")
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["architectures"] == [architecture]
    hf = load_transformers(tmp_path / "out")
    assert type(hf).__name__ == architecture
    ids = prompt()
    with torch.no_grad():
        expected = model(ids)
        torch.testing.assert_close(hf(ids).logits, expected, atol=1e-4, rtol=0)
        # ... and back: the folder imports into an olm model with the same logits.
        back = load_hf(tmp_path / "out")
        torch.testing.assert_close(back(ids), expected, atol=1e-5, rtol=0)
    # Structure, not class, decides: the hand-built Llama comes back as a Llama3Model,
    # the edited GPT-2 and the biased Llama (no family class expresses them) as Blocks.
    assert type(back).__name__ == IMPORTED_AS.get(name, type(model).__name__)


def test_tied_export_stores_the_table_once(tmp_path):
    model = randomize(Llama3Model(**RMS, num_kv_heads=2, max_seq_len=64, tie_weights=True))
    save_hf(model, tmp_path / "out")
    from safetensors import safe_open

    with safe_open(str(tmp_path / "out" / "model.safetensors"), "pt") as f:
        names = set(f.keys())
    assert "lm_head.weight" not in names and "model.embed_tokens.weight" in names
    assert json.loads((tmp_path / "out" / "config.json").read_text())["tie_word_embeddings"] is True


def test_sharded_export_loads_in_transformers(tmp_path):
    model = randomize(Llama3Model(**RMS, num_kv_heads=2, max_seq_len=64, tie_weights=False)).eval()
    save_hf(model, tmp_path / "out", max_shard_bytes=20_000)
    index = json.loads((tmp_path / "out" / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) > 1
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(
            load_transformers(tmp_path / "out")(ids).logits, model(ids), atol=1e-4, rtol=0
        )
        torch.testing.assert_close(load_hf(tmp_path / "out")(ids), model(ids), atol=1e-5, rtol=0)


def test_export_over_previous_export_replaces_it(tmp_path):
    out = tmp_path / "out"
    save_hf(
        randomize(Llama3Model(**{**RMS, "vocab_size": 256}, num_kv_heads=2, max_seq_len=64)),
        out,
        tokenizer=ByteTokenizer(),
        max_shard_bytes=20_000,
    )
    (out / "README.md").write_text("kept")
    model = randomize(Qwen2Model(**RMS, num_kv_heads=2, max_seq_len=64), seed=3).eval()
    save_hf(model, out)
    assert (out / "README.md").read_text() == "kept"
    assert not (out / "tokenizer.json").exists()  # the old export's tokenizer is gone
    assert not (out / "model.safetensors.index.json").exists()
    assert not list(out.glob("model-*.safetensors"))
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folders left
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(load_hf(out)(ids), model(ids), atol=1e-5, rtol=0)


def test_architecture_can_be_forced(tmp_path):
    model = randomize(Llama3Model(**RMS, num_kv_heads=2, max_seq_len=64)).eval()
    save_hf(model, tmp_path / "out", architecture="MistralForCausalLM")
    hf = load_transformers(tmp_path / "out")
    assert type(hf).__name__ == "MistralForCausalLM"
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, model(ids), atol=1e-4, rtol=0)


def test_model_built_from_a_graph_document_exports(tmp_path):
    """What the Studio builds from its document (not a family class) exports the same."""
    import olm.graph

    doc = olm.graph.from_module(MODELS["gemma2"][0]())
    model = randomize(olm.graph.build(doc)).eval()
    assert type(model) is not Gemma2Model
    save_hf(model, tmp_path / "out")
    hf = load_transformers(tmp_path / "out")
    assert type(hf).__name__ == "Gemma2ForCausalLM"
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, model(ids), atol=1e-4, rtol=0)
