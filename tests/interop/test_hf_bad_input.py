"""Bad folders and unexportable models give one clear OLMError naming the tensor, field or
part, and a refused export leaves nothing on disk."""

from __future__ import annotations

import json

import pytest
import torch
from hf_tiny import VOCAB, cases, save_hf_checkpoint
from safetensors.torch import load_file, save_file

from olm.core.errors import OLMError
from olm.interop.hf import load_hf, save_hf
from olm.models import GPT2Model, Llama3Model, OLMoModel
from olm.nn.attention import GroupedQueryAttention, MultiHeadAttentionwithALiBi
from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.feedforward import ClassicFFN, SwiGLUFFN
from olm.nn.moe import ClassicMoEFFN, SwiGLUMoEFFN
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block, Parallel, Repeat, Residual

CASES = {c.name: c for c in cases()}
D = 32


@pytest.fixture
def llama_dir(tmp_path):
    save_hf_checkpoint(CASES["llama_gqa_untied"].config, tmp_path)
    return tmp_path


def _edit_tensors(folder, edit) -> None:
    tensors = load_file(str(folder / "model.safetensors"))
    edit(tensors)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})


def _edit_config(folder, **changes) -> None:
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))


def test_missing_tensor_is_named(llama_dir):
    _edit_tensors(llama_dir, lambda t: t.pop("model.layers.1.mlp.up_proj.weight"))
    with pytest.raises(OLMError, match=r"'model\.layers\.1\.mlp\.up_proj\.weight' is missing"):
        load_hf(llama_dir)


def test_wrong_shape_is_named_with_both_shapes(llama_dir):
    def widen(t):
        t["model.layers.0.self_attn.k_proj.weight"] = torch.zeros(32, 32)

    _edit_tensors(llama_dir, widen)
    with pytest.raises(OLMError, match=r"k_proj\.weight' has shape \(32, 32\).*implies \(16, 32\)"):
        load_hf(llama_dir)


def test_unexpected_tensor_is_named(llama_dir):
    _edit_tensors(
        llama_dir, lambda t: t.update({"model.layers.0.self_attn.q_norm.weight": torch.ones(8)})
    )
    with pytest.raises(OLMError, match=r"q_norm\.weight' .*has no place"):
        load_hf(llama_dir)


def test_unknown_architecture_is_named(llama_dir):
    _edit_config(llama_dir, architectures=["FalconForCausalLM"], model_type="falcon")
    with pytest.raises(OLMError, match="'FalconForCausalLM' is not one olm reads"):
        load_hf(llama_dir)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rope_parameters": {"rope_type": "longrope", "rope_theta": 1e4}}, "rope_parameters"),
        ({"hidden_act": "gelu_10"}, "hidden_act"),
        ({"num_attention_heads": 0}, "num_attention_heads"),
    ],
)
def test_config_field_olm_cannot_express_is_named(llama_dir, change, field):
    _edit_config(llama_dir, **change)
    with pytest.raises(OLMError, match=f"config.json field '{field}'"):
        load_hf(llama_dir)


def test_gpt2_layer_scaled_attention_is_refused(tmp_path):
    save_hf_checkpoint(CASES["gpt2"].config, tmp_path)
    _edit_config(tmp_path, scale_attn_by_inverse_layer_idx=True)
    with pytest.raises(OLMError, match="'scale_attn_by_inverse_layer_idx'"):
        load_hf(tmp_path)


def test_folder_without_weights_or_config(tmp_path):
    with pytest.raises(OLMError, match="no config.json"):
        load_hf(tmp_path)
    save_hf_checkpoint(CASES["qwen2"].config, tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(OLMError, match="no model.safetensors"):
        load_hf(tmp_path)


def test_corrupt_config_and_weights(llama_dir):
    (llama_dir / "model.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(OLMError, match="not a readable safetensors file"):
        load_hf(llama_dir)
    (llama_dir / "config.json").write_text("{not json")
    with pytest.raises(OLMError, match="not valid JSON"):
        load_hf(llama_dir)


# -- export refusals -------------------------------------------------------------------
def _llama_like(attention=None, head_bias=False, ffn=None) -> Block:
    emb = Embedding(VOCAB, D)
    return Block(
        [
            emb,
            Repeat(
                lambda: Block(
                    [
                        Residual(
                            Block(
                                [
                                    RMSNorm(D),
                                    attention()
                                    if attention
                                    else GroupedQueryAttention(D, 4, 2, 64),
                                ]
                            )
                        ),
                        Residual(
                            Block(
                                [
                                    RMSNorm(D),
                                    ffn() if ffn else SwiGLUFFN(D, hidden_dim=48, bias=False),
                                ]
                            )
                        ),
                    ]
                ),
                2,
            ),
            RMSNorm(D),
            OutputHead(D, VOCAB, use_norm=False, bias=head_bias),
        ]
    )


def _gpt2_with_rms_norm() -> GPT2Model:
    model = GPT2Model(VOCAB, D, 2, 4, 32)
    model.blocks[2].stack[1].blocks[0].block.blocks[0] = RMSNorm(D)
    return model


REFUSED = {
    "head_bias": (
        lambda: _llama_like(head_bias=True),
        r"OutputHead has a bias, which LlamaForCausalLM cannot express",
    ),
    "qk_norm": (
        lambda: _llama_like(lambda: GroupedQueryAttention(D, 4, 2, 64, use_qk_norm=True)),
        r"layer 0 attention \(GroupedQueryAttention\) normalises queries and keys",
    ),
    "alibi": (
        lambda: _llama_like(lambda: MultiHeadAttentionwithALiBi(D, 4)),
        r"layer 0 attention \(MultiHeadAttentionwithALiBi\) uses ALiBi",
    ),
    "mixed_norms": (
        _gpt2_with_rms_norm,
        r"layer 1 attention norm \(RMSNorm\) has norm 'rms' but layer 0",
    ),
    "olmo_norms": (
        lambda: OLMoModel(VOCAB, D, 48, 2, 4, 64),
        r"layer 0 attention norm \(LayerNorm\) is a LayerNorm without a learned scale and shift",
    ),
    "plain_mlp_experts": (
        lambda: _llama_like(ffn=lambda: ClassicMoEFFN(D, num_experts=4)),
        r"layer 0 feed-forward \(ClassicMoEFFN\) is a mixture of ClassicFFN experts",
    ),
    "shared_experts": (
        lambda: _llama_like(ffn=lambda: SwiGLUMoEFFN(D, 4, num_shared_experts=1, bias=False)),
        r"layer 0 feed-forward \(SwiGLUMoEFFN\) has 1 shared experts",
    ),
    "learned_activation": (
        lambda: _llama_like(ffn=lambda: ClassicFFN(D, activation_fn="prelu")),
        r"layer 0 feed-forward \(ClassicFFN\) has parameters \['act.weight'\]",
    ),
    "parallel": (
        lambda: Block(
            [Embedding(VOCAB, D), Parallel([RMSNorm(D), RMSNorm(D)]), OutputHead(D, VOCAB)]
        ),
        r"Parallel \(after 0 decoder layers\) is not part of a decoder layer",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unmatched_model_is_refused_naming_the_part_and_nothing_is_written(name, tmp_path):
    make, message = REFUSED[name]
    with pytest.raises(OLMError, match=message):
        save_hf(make(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import olm.interop.hf.writer as writer

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writer, "save_file", broken)
    with pytest.raises(OSError, match="disk full"):
        save_hf(Llama3Model(VOCAB, D, 48, 2, 4, 2, 64), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_meta_weights_are_refused(tmp_path):
    with torch.device("meta"):
        model = Llama3Model(VOCAB, D, 48, 2, 4, 2, 64)
    with pytest.raises(OLMError, match="meta device"):
        save_hf(model, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_export_into_a_foreign_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OLMError, match="other files in it"):
        save_hf(Llama3Model(VOCAB, D, 48, 2, 4, 2, 64), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_forcing_an_architecture_that_cannot_express_the_model(tmp_path):
    with pytest.raises(
        OLMError, match="adds learned absolute positions, which LlamaForCausalLM cannot express"
    ):
        save_hf(GPT2Model(VOCAB, D, 2, 4, 32), tmp_path / "out", architecture="LlamaForCausalLM")
    with pytest.raises(OLMError, match="unknown Hugging Face architecture 'BertModel'"):
        save_hf(GPT2Model(VOCAB, D, 2, 4, 32), tmp_path / "out", architecture="BertModel")


# -- sizes are checked before anything is allocated (issue 25.2) -----------------------
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"num_hidden_layers": 2147483648}, r"'num_hidden_layers' = 2,147,483,648 is out of range: at most 1,024"),
        ({"num_hidden_layers": 9223372036854775808}, r"'num_hidden_layers' = 9,223,.* is too large"),
        ({"intermediate_size": 10**30}, r"'intermediate_size' .* is too large"),
        ({"rope_parameters": {"rope_type": "default", "rope_theta": 10**20}},
         r"'rope_parameters.rope_theta' .* is too large"),
        ({"num_attention_heads": 100000}, r"'num_attention_heads' = 100,000 is out of range"),
        ({"eos_token_id": 1000000}, r"'eos_token_id' = 1,000,000 is not a token id"),
        ({"num_local_experts": 4096, "num_hidden_layers": 1024}, r"more than the 16,384 experts"),
    ],
)
def test_sizes_beyond_olm_limits_are_refused_naming_the_key(llama_dir, change, words):
    _edit_config(llama_dir, **change)
    with pytest.raises(OLMError, match=words) as err:
        load_hf(llama_dir)
    assert "\n" not in str(err.value)


def test_a_config_the_weights_cannot_fill_is_refused_before_building(llama_dir, monkeypatch):
    import olm.interop.hf.load as load

    def never(*args, **kwargs):
        raise AssertionError("the model was built")

    monkeypatch.setattr(load, "build_model", never)
    _edit_config(llama_dir, vocab_size=4_000_000, hidden_size=65_536, head_dim=8)
    with pytest.raises(OLMError, match=r"'model.embed_tokens.weight' has shape \(64, 32\).*"
                                       r"implies \(4000000, 65536\)"):
        load_hf(llama_dir)
