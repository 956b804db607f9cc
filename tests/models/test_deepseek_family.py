"""DeepSeek-V2/V3: dense-then-MoE stacks, MLA's KV-cache saving, and the tiny model's behaviour."""

from __future__ import annotations

import torch

from olm.graph import from_module, from_python, stats, to_python
from olm.models import DeepSeekModel, DeepSeekV3, Llama3Model
from olm.nn.attention import KVCache, MultiHeadLatentAttention
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.moe import DeepSeekMoEFFN
from olm.nn.structure import Repeat

TINY = dict(vocab_size=64, embed_dim=32, num_layers=3, num_heads=4, max_seq_len=64,
            kv_lora_rank=16, intermediate_size=48, expert_dim=12, num_experts=8, top_k=2,
            num_shared_experts=1, first_dense_layers=1, q_lora_rank=24, qk_nope_head_dim=8,
            qk_rope_head_dim=4, v_head_dim=8, num_groups=4, topk_groups=2,
            routed_scaling_factor=2.5)


def test_first_layers_dense_then_moe():
    model = DeepSeekModel(**TINY)
    repeats = [m for m in model.blocks if isinstance(m, Repeat)]
    assert [r.num_repeat for r in repeats] == [1, 2]
    assert any(isinstance(m, SwiGLUFFN) for m in repeats[0].modules())
    assert not any(isinstance(m, DeepSeekMoEFFN) for m in repeats[0].modules())
    assert sum(isinstance(m, DeepSeekMoEFFN) for m in repeats[1].modules()) == 2


def test_tiny_model_decodes_with_the_latent_cache_like_a_full_forward():
    torch.manual_seed(0)
    model = DeepSeekModel(**TINY).eval()
    ids = torch.randint(0, 64, (1, 10))
    with torch.no_grad():
        full = model(ids)
        cache = KVCache()
        parts = [model(ids[:, :6], kv_cache=cache)] + [
            model(ids[:, i : i + 1], kv_cache=cache) for i in range(6, 10)
        ]
    torch.testing.assert_close(torch.cat(parts, dim=1), full, atol=1e-5, rtol=1e-4)


def test_deepseek_v3_kv_cache_per_token_shows_mla_saving_against_gqa():
    """Per token and layer MLA caches 512 + 64 numbers (bf16: 2 bytes each); a Llama-style
    GQA model of the same width, depth and heads with 8 KV heads of 56 caches 2 * 8 * 56."""
    with torch.device("meta"):
        v3 = DeepSeekV3()
    figures = stats(from_module(v3))
    assert figures.kv_cache_bytes_per_token == 61 * 2 * (512 + 64)
    with torch.device("meta"):
        gqa = Llama3Model(vocab_size=129_280, embed_dim=7168, intermediate_size=18_432,
                          num_layers=61, num_heads=128, num_kv_heads=8, max_seq_len=4096)
    gqa_bytes = stats(from_module(gqa)).kv_cache_bytes_per_token
    assert gqa_bytes == 61 * 2 * 2 * 8 * 56
    assert figures.kv_cache_bytes_per_token < gqa_bytes


def test_deepseek_v3_active_parameters_count_eight_of_256_experts():
    with torch.device("meta"):
        figures = stats(from_module(DeepSeekV3()))
    idle = 58 * (256 - 8) * 3 * 7168 * 2048
    assert figures.total_params == 671_026_404_352
    assert figures.active_params == figures.total_params - idle


def test_deepseek_v3_builds_on_meta_with_no_storage():
    # how fast, against a dense 405B, is measured by benchmarks/studio_responsiveness.py
    with torch.device("meta"):
        model = DeepSeekV3()
    assert all(t.is_meta for t in [*model.parameters(), *model.buffers()])
    assert sum(p.numel() for p in model.parameters()) == 671_026_404_352


def test_tiny_deepseek_round_trips_through_python():
    graph = from_module(DeepSeekModel(**TINY))
    again = from_python(to_python(graph))
    assert to_python(again) == to_python(graph)
    assert stats(again).total_params == stats(graph).total_params


def test_mla_component_is_in_the_catalog_with_its_family():
    from olm.graph import catalog

    assert catalog().get("MultiHeadLatentAttention").family == "attention"
    assert catalog().get("DeepSeekMoEFFN").family == "moe"
    assert MultiHeadLatentAttention.__doc__.splitlines()[0]
