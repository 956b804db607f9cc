"""Multi-head latent attention against `transformers`' DeepSeek-V2/V3 attention (tiny, local)."""

from __future__ import annotations

import pytest
import torch
import transformers as T
from transformers.models.deepseek_v3 import modeling_deepseek_v3 as ds3

from olm.nn.attention import GroupedQueryAttention, KVCache, MultiHeadLatentAttention

D, H, R, QR, NOPE, ROPE, V, N = 32, 4, 16, 24, 8, 4, 12, 9


def _config(q_lora_rank: int | None, interleave: bool) -> T.DeepseekV3Config:
    config = T.DeepseekV3Config(
        vocab_size=32, hidden_size=D, num_attention_heads=H, num_key_value_heads=H,
        q_lora_rank=q_lora_rank, kv_lora_rank=R, qk_nope_head_dim=NOPE, qk_rope_head_dim=ROPE,
        v_head_dim=V, num_hidden_layers=1, max_position_embeddings=64, rope_interleave=interleave,
        rms_norm_eps=1e-6,
    )
    config._attn_implementation = "eager"
    return config


def deinterleave(rows: torch.Tensor) -> torch.Tensor:
    """HF's interleaved RoPE pairs (x0,x1),(x2,x3).. -> olm's rotate_half halves."""
    return torch.cat([rows[0::2], rows[1::2]])


def copy_from_hf(ours: MultiHeadLatentAttention, hf: torch.nn.Module, interleave: bool) -> None:
    fix = deinterleave if interleave else (lambda t: t)
    with torch.no_grad():
        q = (hf.q_proj if hf.q_lora_rank is None else hf.q_b_proj).weight.view(H, NOPE + ROPE, -1)
        q = torch.cat([q[:, :NOPE], torch.stack([fix(h) for h in q[:, NOPE:]])], dim=1)
        if hf.q_lora_rank is None:
            ours.q_proj.weight.copy_(q.reshape(H * (NOPE + ROPE), -1))
        else:
            ours.q_a_proj.weight.copy_(hf.q_a_proj.weight)
            ours.q_a_norm.weight.copy_(hf.q_a_layernorm.weight)
            ours.q_b_proj.weight.copy_(q.reshape(H * (NOPE + ROPE), -1))
        kv_a = hf.kv_a_proj_with_mqa.weight
        ours.kv_a_proj.weight.copy_(torch.cat([kv_a[:R], fix(kv_a[R:])]))
        ours.kv_a_norm.weight.copy_(hf.kv_a_layernorm.weight)
        ours.kv_b_proj.weight.copy_(hf.kv_b_proj.weight)
        ours.out_proj.weight.copy_(hf.o_proj.weight)


def _pair(q_lora_rank: int | None, interleave: bool):
    config = _config(q_lora_rank, interleave)
    torch.manual_seed(0)
    hf = ds3.DeepseekV3Attention(config, layer_idx=0).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.copy_(torch.randn_like(p) * 0.3 + (1.0 if p.dim() == 1 else 0.0))
    ours = MultiHeadLatentAttention(
        D, H, 64, kv_lora_rank=R, qk_nope_head_dim=NOPE, qk_rope_head_dim=ROPE, v_head_dim=V,
        q_lora_rank=q_lora_rank, rope_theta=config.rope_parameters["rope_theta"],
    ).eval()
    copy_from_hf(ours, hf, interleave)
    return config, hf, ours


def _hf_forward(config, hf, x):
    rotary = ds3.DeepseekV3RotaryEmbedding(config)
    positions = torch.arange(x.shape[1])[None]
    cos_sin = rotary(x, positions)
    causal = torch.full((x.shape[1], x.shape[1]), float("-inf")).triu(1)[None, None]
    return hf(x, position_embeddings=cos_sin, attention_mask=causal)[0]


@pytest.mark.parametrize("q_lora_rank", [None, QR])
@pytest.mark.parametrize("interleave", [True, False])
def test_mla_matches_transformers(q_lora_rank, interleave):
    config, hf, ours = _pair(q_lora_rank, interleave)
    x = torch.randn(2, N, D, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = _hf_forward(config, hf, x)
        got = ours(x)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


def test_mla_cache_stores_the_latent_and_decodes_like_a_full_forward():
    _, _, ours = _pair(QR, True)
    x = torch.randn(1, N, D, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        full = ours(x)
        cache = KVCache()
        steps = [ours(x[:, :5], kv_cache=cache)]
        steps += [ours(x[:, i : i + 1], kv_cache=cache) for i in range(5, N)]
    torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=1e-4)
    slot = cache.slot(ours)
    assert slot.keys.shape == (1, 1, N, R)  # the compressed latent, one "head"
    assert slot.values.shape == (1, 1, N, ROPE)  # the shared rotated key
    assert ours.cache_width() == R + ROPE


def test_mla_caches_less_than_the_equivalent_gqa():
    mla = MultiHeadLatentAttention(D, H, 64, kv_lora_rank=R, qk_nope_head_dim=NOPE,
                                   qk_rope_head_dim=ROPE, v_head_dim=V)
    gqa = GroupedQueryAttention(D, H, H, 64, head_dim=NOPE + ROPE)
    x = torch.randn(1, N, D)
    caches = []
    for layer in (mla, gqa):
        cache = KVCache()
        with torch.no_grad():
            layer(x, kv_cache=cache)
        slot = cache.slot(layer)
        caches.append(slot.keys[0, :, 0].numel() + slot.values[0, :, 0].numel())
    assert caches[0] == R + ROPE < caches[1] == 2 * H * (NOPE + ROPE)


def test_mla_builds_on_meta_without_allocating():
    with torch.device("meta"):
        m = MultiHeadLatentAttention(7168, 128, 4096, kv_lora_rank=512, q_lora_rank=1536)
    assert all(p.is_meta for p in m.parameters())


def test_mla_rejects_bad_sizes():
    with pytest.raises(ValueError, match="kv_lora_rank"):
        MultiHeadLatentAttention(D, H, 64, kv_lora_rank=0)
