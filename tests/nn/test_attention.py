"""Attention layers against an explicit per-head reference, HF Llama, and each other."""

import math

import pytest
import torch
import torch.nn.functional as F
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import (
    LlamaAttention,
    LlamaRotaryEmbedding,
    apply_rotary_pos_emb,
)

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn.attention import (
    AttentionBase,
    FlashAttention,
    FlashAttentionwithRoPE,
    GroupedQueryAttention,
    MultiHeadAttention,
    MultiHeadAttentionwithALiBi,
    MultiHeadAttentionwithRoPE,
    SlidingWindowAttention,
    attention_mask_to_bool,
)
from olm.nn.embeddings import ALiBiPositionalBias

D, H, N, B, L = 32, 4, 6, 2, 64

CAUSAL_LAYERS = {
    "mha": lambda: MultiHeadAttention(D, H, causal=True),
    "mha_rope": lambda: MultiHeadAttentionwithRoPE(D, H, L, causal=True),
    "flash": lambda: FlashAttention(D, H, causal=True),
    "flash_rope": lambda: FlashAttentionwithRoPE(D, H, L, causal=True),
    "gqa": lambda: GroupedQueryAttention(D, H, 2, L),
    "mqa": lambda: GroupedQueryAttention(D, H, 1, L),
    "gqa_qknorm_bias": lambda: GroupedQueryAttention(D, H, 2, L, qkv_bias=True, use_qk_norm=True),
    "gqa_softcap_sink": lambda: GroupedQueryAttention(
        D, H, 2, L, attn_logit_softcap=2.0, use_attention_sink=True, attention_scale=0.3
    ),
    "gqa_partial_window": lambda: GroupedQueryAttention(
        D, H, 2, L, partial_rotary_factor=0.5, sliding_window=3
    ),
    "swa": lambda: SlidingWindowAttention(D, H, 2, L, window_size=3),
    "alibi": lambda: MultiHeadAttentionwithALiBi(D, H),
}


def randomised(layer):
    """Give biases / norms / sinks non-trivial values so the tests can see them."""
    with torch.no_grad():
        for name, p in layer.named_parameters():
            if "norm" in name or "sink" in name or name.endswith("bias"):
                p.copy_(torch.randn_like(p) * 0.5 + (1.0 if "norm" in name else 0.0))
    return layer.eval()


def hf_rope(q, k, theta, positions, rotary_dim=None):
    """Rotate with transformers' own Llama rotary code (independent of olm)."""
    rotary_dim = rotary_dim or q.shape[-1]
    cfg = LlamaConfig(
        hidden_size=rotary_dim * 2,
        num_attention_heads=2,
        rope_parameters={"rope_type": "default", "rope_theta": theta},
    )
    cos, sin = LlamaRotaryEmbedding(cfg)(q, positions[None])
    qr, kr = apply_rotary_pos_emb(q[..., :rotary_dim], k[..., :rotary_dim], cos, sin)
    return torch.cat((qr, q[..., rotary_dim:]), -1), torch.cat((kr, k[..., rotary_dim:]), -1)


def reference(layer, x, keep=None):
    """Explicit per-(batch, head, query) attention written from the papers' definitions.

    keep: optional [B, N] padding mask over keys.
    """
    b, n, _ = x.shape
    hq, hkv, hd = layer.num_heads, layer.num_kv_heads, layer.head_dim
    q = F.linear(x, layer.q_proj.weight, layer.q_proj.bias).view(b, n, hq, hd).transpose(1, 2)
    k = F.linear(x, layer.k_proj.weight, layer.k_proj.bias).view(b, n, hkv, hd).transpose(1, 2)
    v = F.linear(x, layer.v_proj.weight, layer.v_proj.bias).view(b, n, hkv, hd).transpose(1, 2)
    if getattr(layer, "use_qk_norm", False):

        def rms(t, w):
            return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + 1e-6) * w

        q, k = rms(q, layer.q_norm.weight), rms(k, layer.k_norm.weight)
    if layer.rope is not None:
        q, k = hf_rope(q, k, layer.rope.base, torch.arange(n), layer.rope.rotary_dim)
    slopes = (
        ALiBiPositionalBias(hq).slopes if isinstance(layer, MultiHeadAttentionwithALiBi) else None
    )
    softcap = getattr(layer, "attn_logit_softcap", None)
    sink = getattr(layer, "attention_sink", None)
    window = layer.sliding_window
    out = torch.zeros(b, hq, n, hd)
    for bi in range(b):
        for h in range(hq):
            g = h // (hq // hkv)
            for i in range(n):
                js = [
                    j
                    for j in range(n)
                    if (not layer.causal or j <= i)
                    and (window is None or i - j < window)
                    and (keep is None or keep[bi, j])
                ]
                if not js:  # a padded query that sees nothing: output ignored
                    continue
                s = torch.stack([q[bi, h, i] @ k[bi, g, j] for j in js]) * layer.scale
                if softcap is not None:
                    s = softcap * torch.tanh(s / softcap)
                if slopes is not None:
                    s = s - slopes[h] * torch.tensor([abs(i - j) for j in js], dtype=s.dtype)
                if sink is not None:
                    s = torch.cat((s, sink[h : h + 1]))
                p = torch.softmax(s, 0)[: len(js)]
                out[bi, h, i] = sum(p[t] * v[bi, g, j] for t, j in enumerate(js))
    merged = out.transpose(1, 2).reshape(b, n, hq * hd)
    return F.linear(merged, layer.out_proj.weight, layer.out_proj.bias)


@pytest.mark.parametrize("name", sorted(CAUSAL_LAYERS))
def test_matches_explicit_reference(name):
    layer = randomised(CAUSAL_LAYERS[name]())
    x = torch.randn(B, N, D)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), reference(layer, x), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CAUSAL_LAYERS))
def test_causality_later_tokens_never_change_earlier_outputs(name):
    layer = randomised(CAUSAL_LAYERS[name]())
    x = torch.randn(B, N, D)
    y = x.clone()
    y[:, 4] += torch.randn(B, D) * 3
    with torch.no_grad():
        a, b = layer(x), layer(y)
    torch.testing.assert_close(a[:, :4], b[:, :4], rtol=0, atol=1e-6)
    assert (a[:, 4] - b[:, 4]).abs().max() > 1e-3


@pytest.mark.parametrize("name", sorted(CAUSAL_LAYERS))
def test_padding_mask_blocks_padded_keys(name):
    layer = randomised(CAUSAL_LAYERS[name]())
    x = torch.randn(B, N, D)
    keep = torch.ones(B, N, dtype=torch.bool)
    keep[0, :2] = False  # left padding in row 0
    keep[1, 3] = False  # a hole in row 1
    y = x.clone()
    y[0, :2] = torch.randn(2, D) * 5  # whatever sits in padded slots must not matter
    y[1, 3] = torch.randn(D) * 5
    with torch.no_grad():
        a, b = layer(x, mask=keep), layer(y, mask=keep)
        want = reference(layer, x, keep)
    torch.testing.assert_close(a[keep], b[keep], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(a[keep], want[keep], rtol=1e-4, atol=1e-5)
    assert torch.isfinite(a).all()
    torch.testing.assert_close(layer(x, mask=keep.long()), a)  # int masks are keep-masks too


def test_non_causal_mha_sees_the_future_and_matches_reference():
    layer = randomised(MultiHeadAttention(D, H))
    x = torch.randn(B, N, D)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), reference(layer, x), rtol=1e-4, atol=1e-5)
        y = x.clone()
        y[:, -1] += 1
        assert (layer(x)[:, 0] - layer(y)[:, 0]).abs().max() > 1e-4


@pytest.mark.parametrize("causal", [False, True])
def test_flash_equals_manual_mha_with_copied_weights(causal):
    manual = MultiHeadAttention(D, H, causal=causal).eval()
    flash = FlashAttention(D, H, causal=causal).eval()
    flash.load_state_dict(manual.state_dict())
    forced = FlashAttention(D, H, causal=causal, use_flash_attn=False).eval()
    forced.load_state_dict(manual.state_dict())
    x = torch.randn(B, N, D)
    with torch.no_grad():
        torch.testing.assert_close(flash(x), manual(x), rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(forced(x), manual(x), rtol=1e-5, atol=1e-6)


def test_flash_rope_equals_mha_rope():
    manual = MultiHeadAttentionwithRoPE(D, H, L, causal=True, bias=False).eval()
    flash = FlashAttentionwithRoPE(D, H, L, causal=True, bias=False).eval()
    flash.load_state_dict(manual.state_dict())
    x = torch.randn(B, N, D)
    with torch.no_grad():
        torch.testing.assert_close(flash(x), manual(x), rtol=1e-5, atol=1e-6)


def test_gqa_with_all_kv_heads_equals_mha_with_rope():
    gqa = GroupedQueryAttention(D, H, H, L, rope_theta=500000.0).eval()
    mha = MultiHeadAttentionwithRoPE(D, H, L, causal=True, bias=False, rope_theta=500000.0).eval()
    mha.load_state_dict(gqa.state_dict())
    x = torch.randn(B, N, D)
    with torch.no_grad():
        torch.testing.assert_close(gqa(x), mha(x), rtol=1e-5, atol=1e-6)


def test_mqa_equals_gqa_with_kv_heads_repeated():
    mqa = GroupedQueryAttention(D, H, 1, L).eval()
    full = GroupedQueryAttention(D, H, H, L).eval()
    sd = mqa.state_dict()
    sd["k_proj.weight"] = sd["k_proj.weight"].repeat(H, 1)
    sd["v_proj.weight"] = sd["v_proj.weight"].repeat(H, 1)
    full.load_state_dict(sd)
    x = torch.randn(B, N, D)
    with torch.no_grad():
        torch.testing.assert_close(mqa(x), full(x), rtol=1e-5, atol=1e-6)
    assert mqa.k_proj.weight.shape == (D // H, D)


def hf_llama_attention(num_kv, bias, scaling=None):
    params = {"rope_type": "default", "rope_theta": 500000.0}
    if scaling:
        params = {**scaling, "rope_theta": 500000.0}
    cfg = LlamaConfig(
        hidden_size=D,
        num_attention_heads=H,
        num_key_value_heads=num_kv,
        max_position_embeddings=L,
        attention_bias=bias,
        rope_parameters=params,
    )
    cfg._attn_implementation = "eager"
    return cfg, LlamaAttention(cfg, layer_idx=0).eval()


@pytest.mark.parametrize(
    "scaling",
    [
        None,
        {
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8,
        },
    ],
)
@pytest.mark.parametrize("bias", [False, True])
def test_gqa_matches_transformers_llama_attention(bias, scaling):
    cfg, hf = hf_llama_attention(2, bias, scaling)
    ours = GroupedQueryAttention(
        D, H, 2, L, rope_theta=500000.0, use_bias=bias, qkv_bias=bias, rope_scaling=scaling
    ).eval()
    sd = {k.replace("o_proj", "out_proj"): v for k, v in hf.state_dict().items()}
    ours.load_state_dict(sd)
    n = 20
    x = torch.randn(B, n, D)
    cos, sin = LlamaRotaryEmbedding(cfg)(x, torch.arange(n)[None])
    causal = torch.full((n, n), float("-inf")).triu(1)[None, None]
    with torch.no_grad():
        want, _ = hf(x, (cos, sin), causal)
        torch.testing.assert_close(ours(x), want, rtol=1e-5, atol=1e-5)


def test_masks_are_anded_with_causal_and_accept_every_form():
    layer = randomised(GroupedQueryAttention(D, H, 2, L))
    x = torch.randn(B, N, D)
    with torch.no_grad():
        plain = layer(x)
        ones = torch.ones(N, N, dtype=torch.bool)
        torch.testing.assert_close(layer(x, mask=ones), plain)  # still causal
        torch.testing.assert_close(layer(x, mask=ones[None, None].expand(B, 1, N, N)), plain)
        torch.testing.assert_close(layer(x, mask=torch.zeros(N, N)), plain)  # additive zeros
        band = torch.ones(N, N, dtype=torch.bool).triu(-1)  # keep j >= i - 1
        additive = torch.zeros(N, N).masked_fill(~band, float("-inf"))
        two = GroupedQueryAttention(D, H, 2, L, sliding_window=2)
        two.load_state_dict(layer.state_dict())
        torch.testing.assert_close(layer(x, mask=band), two.eval()(x), rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(layer(x, mask=additive), two(x), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"mask of shape \[3, 3\]"):
        layer(x, mask=torch.ones(3, 3, dtype=torch.bool))


def test_attention_mask_to_bool():
    assert attention_mask_to_bool(torch.tensor([0.0, float("-inf"), 1.0])).tolist() == [
        True,
        False,
        True,
    ]
    assert attention_mask_to_bool(torch.tensor([1, 0, 2])).tolist() == [True, False, True]
    m = torch.tensor([True, False])
    assert attention_mask_to_bool(m) is m


def test_dropout_only_in_training():
    layer = FlashAttention(D, H, dropout=0.5, causal=True)
    x = torch.randn(B, N, D)
    layer.train()
    assert not torch.allclose(layer(x), layer(x))
    layer.eval()
    torch.testing.assert_close(layer(x), layer(x))


@pytest.mark.parametrize("name", sorted(CAUSAL_LAYERS))
def test_backward_reaches_every_parameter(name):
    layer = CAUSAL_LAYERS[name]().train()
    layer(torch.randn(B, N, D)).square().mean().backward()
    for pname, p in layer.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), pname


def test_families_bases_and_recorded_args():
    for make in CAUSAL_LAYERS.values():
        layer = make()
        assert isinstance(layer, AttentionBase) and type(layer).family == "attention"
    assert AttentionBase.family is None
    mha = MultiHeadAttention(D, H, causal=True)
    assert init_args(mha) == {"embed_dims": D, "num_heads": H, "causal": True}
    swa = SlidingWindowAttention(D, H, 2, L, window_size=3)
    assert swa.sliding_window == swa.window_size == 3 and isinstance(swa, GroupedQueryAttention)


def test_reference_snippet_gqa_defaults():
    layer = GroupedQueryAttention(64, num_heads=16, num_kv_heads=4, max_seq_len=128)
    assert layer.q_proj.bias is None and layer.out_proj.bias is None
    assert layer.k_proj.weight.shape == (4 * 4, 64) and layer.num_groups == 4
    assert layer(torch.randn(1, 5, 64)).shape == (1, 5, 64)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MultiHeadAttention(1000, 12), "embed_dim 1000 is not divisible by num_heads 12"),
        (lambda: FlashAttention(1000, 12), "embed_dim 1000 is not divisible by num_heads 12"),
        (lambda: GroupedQueryAttention(1024, 16, 5, 64), "num_kv_heads 5 must divide num_heads 16"),
        (lambda: GroupedQueryAttention(64, 4, 0, 64), "num_kv_heads must be a positive integer"),
        (lambda: GroupedQueryAttention(64, 4, 2, 0), "max_seq_len must be a positive integer"),
        (
            lambda: GroupedQueryAttention(64, 4, 2, 64, partial_rotary_factor=0),
            "partial_rotary_factor",
        ),
        (lambda: GroupedQueryAttention(64, 4, 2, 64, sliding_window=0), "sliding_window"),
        (
            lambda: GroupedQueryAttention(64, 4, 2, 64, attn_logit_softcap=-1.0),
            "attn_logit_softcap",
        ),
        (
            lambda: GroupedQueryAttention(64, 4, 2, 64, rope_scaling={"rope_type": "nope"}),
            "rope_scaling",
        ),
        (lambda: SlidingWindowAttention(64, 4, 2, 64, window_size=-3), "window_size"),
        (lambda: SlidingWindowAttention(64, 4, 2, 64, window_size=None), "window_size"),
        (lambda: MultiHeadAttentionwithRoPE(64, 4, 64, dropout=1.5), "dropout"),
        (
            lambda: MultiHeadAttentionwithALiBi(30, 4),
            "embed_dim 30 is not divisible by num_heads 4",
        ),
    ],
)
def test_bad_hyperparameters_raise_config_error(make, message):
    with pytest.raises(ConfigError, match=message):
        make()
    assert issubclass(ConfigError, ValueError)


def test_wrong_input_shape_names_the_expected_one():
    with pytest.raises(ValueError, match=r"\[batch, seq, 32\]"):
        GroupedQueryAttention(D, H, 2, L)(torch.randn(2, 5, 16))


def test_explicit_head_dim_and_scale():
    layer = GroupedQueryAttention(48, 4, 2, L, head_dim=16, attention_scale=0.25)
    assert layer.q_proj.weight.shape == (64, 48) and layer.out_proj.weight.shape == (48, 64)
    assert layer.scale == 0.25
    x = torch.randn(1, 5, 48)
    with torch.no_grad():
        torch.testing.assert_close(layer.eval()(x), reference(layer, x), rtol=1e-4, atol=1e-5)


def test_meta_construction_allocates_nothing():
    with torch.device("meta"):
        layer = GroupedQueryAttention(
            16384,
            128,
            8,
            131072,
            rope_theta=500000.0,
            rope_scaling={
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192,
            },
        )
        alibi = MultiHeadAttentionwithALiBi(4096, 32, max_seq_len=131072)
    for m in (layer, alibi):
        assert all(t.is_meta for t in list(m.parameters()) + list(m.buffers()))
    hd = 128
    assert sum(p.numel() for p in layer.parameters()) == 2 * 16384 * 128 * hd + 2 * 16384 * 8 * hd
    assert sum(b.numel() for b in layer.buffers()) == hd // 2
    assert math.isclose(layer.scale, hd**-0.5)
