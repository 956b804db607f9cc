"""Hugging Face interop: write an olm model as a `transformers` folder, and read one back.

Export::

    from olm.interop.hf import save_hf
    save_hf(model, "out/", tokenizer=tok)   # config.json, model.safetensors, tokenizer files

The architecture is recognised from the model's *structure*, not its class, so a model
edited in the Studio exports whenever its parts map: GPT-2 (``GPT2LMHeadModel``), Llama
(``LlamaForCausalLM``, also Llama 2, Phi-3 and Phi-4 shaped models), Qwen 2
(``Qwen2ForCausalLM``), Mistral (``MistralForCausalLM``), Mixtral (``MixtralForCausalLM``)
and Gemma 2 (``Gemma2ForCausalLM``). A model that matches none is refused with the first
part that does not map ("OutputHead has a bias, which LlamaForCausalLM cannot express"),
and nothing is written. ``architecture="MistralForCausalLM"`` forces one.

Import::

    from olm.interop.hf import load_hf, read_hf
    model = load_hf("some-checkpoint/")     # eval mode, float32 unless dtype= is given
    imported = read_hf("some-checkpoint/")  # .model, .architecture, .tokenizer, .spec
    graph = imported.graph                  # the olm.graph document (for the Studio)

The folder needs ``config.json`` and ``model.safetensors`` (or shards with
``model.safetensors.index.json``); unknown architectures, config fields olm cannot
express, and missing, extra or misshapen tensors raise an `OLMError` naming them. The model
is the architecture's olm family class (``Llama3Model``, ``Gemma2Model``, ...) when that
class expresses the config exactly, else the same components composed with ``Block``.
``olm import-hf DIR -o NAME.olm.json`` writes the project plus ``NAME.safetensors``.

How the tensors map (``L`` = ``model.layers.{i}``; olm side = the part in layer i):

==============================  ==========================================================
Llama / Qwen 2 / Mistral        olm
==============================  ==========================================================
model.embed_tokens              Embedding
L.input_layernorm               norm before attention
L.self_attn.{q,k,v,o}_proj      attention q_proj, k_proj, v_proj, out_proj (no permutation:
                                olm's RoPE uses the same rotate-half pairs)
L.post_attention_layernorm      norm before the feed-forward
L.mlp.gate_proj / up_proj       gated FFN up_proj rows [h:2h] (gate) / [0:h] (value)
L.mlp.down_proj                 down_proj
model.norm, lm_head             final norm, OutputHead (absent when tied)
==============================  ==========================================================

Mixtral: ``L.block_sparse_moe.gate`` is the router; ``experts.{e}.w1/w3/w2`` are expert e's
gate/up/down (the fused ``mlp.experts.gate_up_proj`` layout of transformers 5 is read too).
Gemma 2: ``post_attention_layernorm`` / ``pre_feedforward_layernorm`` /
``post_feedforward_layernorm`` are the sandwich norms, every norm gain is stored as
``weight - 1``, the embedding is scaled by ``sqrt(hidden_size)``. GPT-2: ``transformer.wte``,
``wpe``, ``h.{i}.ln_1``, ``attn.c_attn`` (q, k, v fused) and ``c_proj``, ``ln_2``,
``mlp.c_fc``/``c_proj``, ``ln_f``; its Conv1D weights are stored transposed.

`transformers` is never needed here: the format is read and written with ``json`` and
``safetensors``.
"""

from olm.interop.hf.archs import ARCHITECTURES
from olm.interop.hf.load import HFImport, load_hf, read_hf
from olm.interop.hf.save import choose_architecture, save_hf
from olm.interop.hf.spec import DecoderSpec

__all__ = [
    "ARCHITECTURES",
    "DecoderSpec",
    "HFImport",
    "choose_architecture",
    "load_hf",
    "read_hf",
    "save_hf",
]
