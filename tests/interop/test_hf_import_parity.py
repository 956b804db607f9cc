"""Import: a tiny random `transformers` checkpoint → `load_hf` → the same logits and the
same greedy continuation (olm's KV-cache generation against `generate`)."""

from __future__ import annotations

import pytest
import torch
from hf_tiny import SEQ, cases, hf_greedy, load_transformers, prompt, save_hf_checkpoint

from olm.core.errors import OLMError
from olm.generation import greedy
from olm.interop.hf import load_hf, read_hf
from olm.nn.moe import MoEFeedForwardBase

CASES = {c.name: c for c in cases()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_import_matches_transformers(name, tmp_path):
    case = CASES[name]
    hf = save_hf_checkpoint(case.config, tmp_path)
    imported = read_hf(tmp_path)
    model = imported.model
    assert type(model).__name__ == case.family
    assert imported.architecture == type(hf).__name__
    ids = prompt()
    with torch.no_grad():
        expected = hf(ids).logits
        got = model(ids)
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=0)
    assert torch.equal(greedy(model, ids[:, :4], 8), hf_greedy(hf, ids[:, :4], 8))
    for key, value in case.controls.items():
        # The feature is really exercised: switching it off in transformers changes logits.
        with torch.no_grad():
            other = load_transformers(tmp_path, **{key: value})(ids).logits
        assert (other - expected).abs().max() > 1e-3, f"{key} has no effect on this case"


def test_mixtral_routes_tokens_to_several_experts(tmp_path):
    save_hf_checkpoint(CASES["mixtral"].config, tmp_path)
    model = load_hf(tmp_path)
    with torch.no_grad():
        model(prompt())
    moe = [m for m in model.modules() if isinstance(m, MoEFeedForwardBase)]
    assert len(moe) == 2
    for layer in moe:
        counts = layer.last_expert_counts
        assert int(counts.sum()) == 2 * SEQ * 2  # batch 2, top-2
        assert int((counts > 0).sum()) >= 2


def test_sharded_checkpoint_loads(tmp_path):
    hf = save_hf_checkpoint(CASES["llama_gqa_untied"].config, tmp_path, max_shard_size="20KB")
    assert (tmp_path / "model.safetensors.index.json").is_file()
    assert len(list(tmp_path.glob("model-*.safetensors"))) > 1
    ids = prompt()
    with torch.no_grad():
        torch.testing.assert_close(load_hf(tmp_path)(ids), hf(ids).logits, atol=1e-4, rtol=0)


def test_bf16_checkpoint_loads_as_float32_or_requested_dtype(tmp_path):
    hf = save_hf_checkpoint(CASES["qwen2"].config, tmp_path)
    hf.to(torch.bfloat16).save_pretrained(tmp_path)
    model = load_hf(tmp_path)
    assert next(model.parameters()).dtype == torch.float32
    half = load_hf(tmp_path, dtype="auto")
    assert {p.dtype for p in half.parameters()} == {torch.bfloat16}
    ids = prompt()
    with torch.no_grad():
        out = half(ids)
        assert out.dtype == torch.bfloat16
        assert (out.float() - model(ids)).abs().max() < 0.25
    with pytest.raises(OLMError, match="dtype 'int8' is not one of"):
        load_hf(tmp_path, dtype="int8")
    emb = hf.get_input_embeddings().weight
    assert torch.equal(half.state_dict()["blocks.0.embedding.weight"], emb)
