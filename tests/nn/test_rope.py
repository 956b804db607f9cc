"""Rotary embeddings: HF parity, the relative-position property, and every scaling recipe."""

import pytest
import torch
from transformers import LlamaConfig
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.nn.embeddings import (
    PartialRotaryPositionalEmbedding,
    PartialScaledRotaryPositionalEmbedding,
    RotaryPositionalEmbedding,
    ScaledRotaryPositionalEmbedding,
    rope_from_config,
)

HD = 16

LLAMA3_1 = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}


def hf_config(theta=10000.0, head_dim=HD, scaling=None, max_pos=64):
    params = {"rope_type": "default", "rope_theta": theta}
    if scaling is not None:
        params = {**scaling, "rope_theta": theta}
    return LlamaConfig(
        hidden_size=head_dim * 2,
        num_attention_heads=2,
        max_position_embeddings=max_pos,
        rope_parameters=params,
    )


@pytest.mark.parametrize("theta", [10000.0, 500000.0])
def test_matches_transformers_llama_rotary(theta):
    rope = RotaryPositionalEmbedding(HD, 64, base=theta)
    hf = LlamaRotaryEmbedding(hf_config(theta))
    q, k = torch.randn(2, 3, 10, HD), torch.randn(2, 3, 10, HD)
    positions = torch.arange(5, 15)
    cos, sin = hf(q, positions[None].expand(2, -1))
    want_q, want_k = apply_rotary_pos_emb(q, k, cos, sin)
    got_q, got_k = rope.rotate_qk(q, k, offset=5)
    torch.testing.assert_close(got_q, want_q, rtol=0, atol=1e-6)
    torch.testing.assert_close(got_k, want_k, rtol=0, atol=1e-6)
    torch.testing.assert_close(rope.inv_freq, hf.inv_freq, rtol=0, atol=0)


def test_forward_layout_and_per_batch_positions():
    rope = RotaryPositionalEmbedding(HD, 64)
    x = torch.randn(2, 6, 3, HD)  # [B, N, H, hd]
    positions = torch.tensor([[0, 1, 2, 3, 4, 5], [9, 8, 7, 6, 5, 4]])
    out = rope(x, seq_positions=positions)
    assert out.shape == x.shape
    for b in range(2):
        one = rope(x[b : b + 1], seq_positions=positions[b])
        torch.testing.assert_close(out[b : b + 1], one)
    with pytest.raises(ValueError, match=rf"\[batch, seq, heads, {HD}\]"):
        rope(torch.randn(2, 6, HD))


def test_relative_position_property():
    """q·k after rotation depends only on the distance between the two positions."""
    rope = RotaryPositionalEmbedding(HD, 4096, base=10000)
    q, k = torch.randn(HD, dtype=torch.float64), torch.randn(HD, dtype=torch.float64)

    def score(pq, pk):
        rq = rope.rotate(q.view(1, 1, 1, HD), torch.tensor([pq]))
        rk = rope.rotate(k.view(1, 1, 1, HD), torch.tensor([pk]))
        return (rq * rk).sum().item()

    for delta in (0, 1, 7, 100):
        scores = [score(p + delta, p) for p in (0, 3, 50, 1000)]
        assert max(scores) - min(scores) < 1e-4 * max(1.0, abs(scores[0]))
    assert abs(score(10, 0) - score(0, 10)) > 1e-3  # direction matters: not a symmetric trick


def test_rotation_preserves_norms():
    rope = RotaryPositionalEmbedding(HD, 64)
    x = torch.randn(1, 2, 20, HD)
    out = rope.rotate(x, torch.arange(20))
    torch.testing.assert_close(out.norm(dim=-1), x.norm(dim=-1))
    torch.testing.assert_close(out[:, :, 0], x[:, :, 0])  # position 0 is the identity


def hf_inv_freq(kind, scaling, theta=10000.0, head_dim=HD, max_pos=64, **kw):
    return ROPE_INIT_FUNCTIONS[kind](hf_config(theta, head_dim, scaling, max_pos), "cpu", **kw)


def test_llama3_scaling_equals_transformers():
    ours = ScaledRotaryPositionalEmbedding(128, 131072, base=500000.0, scaling_type="llama3")
    want, factor = hf_inv_freq("llama3", LLAMA3_1, theta=500000.0, head_dim=128, max_pos=131072)
    torch.testing.assert_close(ours.inv_freq, want, rtol=0, atol=0)
    assert factor == ours.attention_scaling == 1.0
    # The published defaults really change something (long wavelengths are slowed by 8).
    plain = RotaryPositionalEmbedding(128, 131072, base=500000.0)
    assert not torch.equal(plain.inv_freq, ours.inv_freq)
    torch.testing.assert_close(ours.inv_freq[-1], plain.inv_freq[-1] / 8)
    torch.testing.assert_close(ours.inv_freq[0], plain.inv_freq[0])


def test_llama3_from_hf_dict_equals_transformers_rotation():
    scaling = {**LLAMA3_1, "original_max_position_embeddings": 32}
    rope = rope_from_config(HD, 256, 500000.0, scaling)
    hf = LlamaRotaryEmbedding(hf_config(500000.0, scaling=scaling, max_pos=256))
    q, k = torch.randn(1, 2, 40, HD), torch.randn(1, 2, 40, HD)
    cos, sin = hf(q, torch.arange(100, 140)[None])
    want_q, want_k = apply_rotary_pos_emb(q, k, cos, sin)
    got_q, got_k = rope.rotate_qk(q, k, offset=100)
    torch.testing.assert_close(got_q, want_q, rtol=0, atol=1e-6)
    torch.testing.assert_close(got_k, want_k, rtol=0, atol=1e-6)
    assert type(rope) is RotaryPositionalEmbedding and rope.scaling.kind == "llama3"


@pytest.mark.parametrize(
    ("ours", "hf_kind", "hf_scaling"),
    [
        (
            {"scaling_type": "linear", "scaling_factor": 4.0},
            "linear",
            {"rope_type": "linear", "factor": 4.0},
        ),
        (
            {"scaling_type": "yarn", "scaling_factor": 4.0, "original_max_seq_len": 16},
            "yarn",
            {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16},
        ),
        (
            {
                "scaling_type": "yarn",
                "scaling_factor": 8.0,
                "original_max_seq_len": 32,
                "yarn_alpha": 2.0,
                "yarn_beta": 16.0,
            },
            "yarn",
            {
                "rope_type": "yarn",
                "factor": 8.0,
                "original_max_position_embeddings": 32,
                "beta_slow": 2.0,
                "beta_fast": 16.0,
            },
        ),
    ],
)
def test_static_scalings_equal_transformers(ours, hf_kind, hf_scaling):
    rope = ScaledRotaryPositionalEmbedding(HD, 64, base=10000.0, **ours)
    want, factor = hf_inv_freq(hf_kind, hf_scaling)
    torch.testing.assert_close(rope.inv_freq, want, rtol=1e-6, atol=0)
    assert rope.attention_scaling == pytest.approx(factor)
    via_dict = rope_from_config(HD, 64, 10000.0, hf_scaling)
    torch.testing.assert_close(via_dict.inv_freq, want, rtol=1e-6, atol=0)


def test_yarn_attention_factor_scales_cos_and_sin():
    rope = ScaledRotaryPositionalEmbedding(HD, 64, scaling_type="yarn", scaling_factor=4.0)
    cos, sin = rope.cos_sin(torch.arange(3), torch.float32)
    assert rope.attention_scaling == pytest.approx(0.1 * torch.log(torch.tensor(4.0)).item() + 1)
    torch.testing.assert_close(cos[0], torch.full((HD,), rope.attention_scaling))


def test_dynamic_ntk_equals_transformers_beyond_the_original_length():
    rope = rope_from_config(HD, 64, 10000.0, {"rope_type": "dynamic", "factor": 2.0})
    plain = RotaryPositionalEmbedding(HD, 64)
    short_cos, _ = rope.cos_sin(torch.arange(64), torch.float32)
    torch.testing.assert_close(short_cos, plain.cos_sin(torch.arange(64), torch.float32)[0])
    want, _ = hf_inv_freq("dynamic", {"rope_type": "dynamic", "factor": 2.0}, seq_len=100)
    long_cos, _ = rope.cos_sin(torch.arange(100), torch.float32)
    freqs = torch.arange(100).float()[:, None] * want
    torch.testing.assert_close(long_cos, torch.cat((freqs, freqs), -1).cos(), rtol=1e-5, atol=1e-5)


def test_ntk_stretches_the_base():
    rope = ScaledRotaryPositionalEmbedding(
        HD, 64, base=10000.0, scaling_type="ntk", scaling_factor=4.0
    )
    stretched = 10000.0 * 4.0 ** (HD / (HD - 2))
    torch.testing.assert_close(
        rope.inv_freq, RotaryPositionalEmbedding(HD, 64, base=stretched).inv_freq
    )


def test_partial_rotates_only_the_first_dims():
    rope = PartialRotaryPositionalEmbedding(HD, rotary_percentage=0.5)
    full8 = RotaryPositionalEmbedding(8, 64)
    x = torch.randn(1, 2, 5, HD)
    out = rope.rotate(x, torch.arange(5))
    torch.testing.assert_close(out[..., 8:], x[..., 8:])
    torch.testing.assert_close(out[..., :8], full8.rotate(x[..., :8], torch.arange(5)))
    assert rope.rotary_dim == 8
    assert PartialRotaryPositionalEmbedding(10, 0.5).rotary_dim == 4  # floored to even
    partial = rope_from_config(HD, 64, 10000.0, None, partial_rotary_factor=0.25)
    assert isinstance(partial, PartialRotaryPositionalEmbedding) and partial.rotary_dim == 4


def test_partial_scaled_combines_both():
    rope = PartialScaledRotaryPositionalEmbedding(
        HD, 0.5, 64, scaling_type="linear", scaling_factor=2.0
    )
    torch.testing.assert_close(rope.inv_freq, RotaryPositionalEmbedding(8, 64).inv_freq / 2)


def test_half_precision_keeps_float32_frequencies():
    rope = RotaryPositionalEmbedding(HD, 64, base=500000.0).to(torch.bfloat16)
    assert rope.inv_freq.dtype == torch.bfloat16  # the buffer itself was cast...
    cos, _ = rope.cos_sin(torch.arange(4000, 4004), torch.float32)
    ref, _ = RotaryPositionalEmbedding(HD, 64, base=500000.0).cos_sin(
        torch.arange(4000, 4004), torch.float32
    )
    torch.testing.assert_close(cos, ref)  # ...but cos/sin are still computed in float32


def test_meta_construction_and_reset():
    with torch.device("meta"):
        rope = ScaledRotaryPositionalEmbedding(128, 131072, base=500000.0, scaling_type="llama3")
    assert rope.inv_freq.is_meta and rope.inv_freq.numel() == 64
    assert "inv_freq" not in rope.state_dict()  # derived, never checkpointed
    rope.to_empty(device="cpu")
    rope.reset_parameters()
    torch.testing.assert_close(
        rope.inv_freq,
        ScaledRotaryPositionalEmbedding(128, 131072, base=500000.0, scaling_type="llama3").inv_freq,
    )


def test_init_args_recorded():
    rope = ScaledRotaryPositionalEmbedding(HD, 64, scaling_type="yarn", scaling_factor=2.0)
    assert init_args(rope) == {
        "head_dim": HD,
        "max_seq_len": 64,
        "scaling_type": "yarn",
        "scaling_factor": 2.0,
    }
    assert RotaryPositionalEmbedding.family == "embedding"


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: RotaryPositionalEmbedding(15, 64), "head_dim 15"),
        (lambda: RotaryPositionalEmbedding(0, 64), "head_dim"),
        (lambda: RotaryPositionalEmbedding(HD, 0), "max_seq_len"),
        (lambda: RotaryPositionalEmbedding(HD, 64, base=1), "base"),
        (lambda: PartialRotaryPositionalEmbedding(HD, 1.5), "rotary_percentage"),
        (lambda: PartialRotaryPositionalEmbedding(HD, 0.05), "rotary_percentage"),
        (lambda: ScaledRotaryPositionalEmbedding(HD, scaling_type="xpos"), "scaling_type 'xpos'"),
        (lambda: ScaledRotaryPositionalEmbedding(HD, scaling_factor=0.5), "scaling_factor"),
        (
            lambda: RotaryPositionalEmbedding(HD, 64, scaling={"rope_type": "su"}),
            "rope_scaling type .su.",
        ),
        (
            lambda: RotaryPositionalEmbedding(HD, 64, scaling={"rope_type": "linear", "fctor": 2}),
            "fctor",
        ),
        (lambda: rope_from_config(HD, 64, 1e4, "llama3"), "rope_scaling must be a dict"),
    ],
)
def test_bad_hyperparameters_name_the_argument(make, name):
    with pytest.raises(ConfigError, match=name):
        make()


def test_longrope_equals_transformers_short_and_long():
    short = [1.0 + 0.1 * i for i in range(HD // 2)]
    long = [2.0 + 0.5 * i for i in range(HD // 2)]
    scaling = {
        "rope_type": "longrope",
        "short_factor": short,
        "long_factor": long,
        "original_max_position_embeddings": 16,
    }
    rope = rope_from_config(HD, 64, 10000.0, scaling)
    for seq_len in (10, 40):
        want, factor = hf_inv_freq("longrope", scaling, seq_len=seq_len)
        assert rope.attention_scaling == pytest.approx(factor) and factor > 1
        positions = torch.arange(seq_len)
        freqs = positions.float()[:, None] * want
        got_cos, got_sin = rope.cos_sin(positions, torch.float32)
        torch.testing.assert_close(got_cos, torch.cat((freqs, freqs), -1).cos() * factor)
        torch.testing.assert_close(got_sin, torch.cat((freqs, freqs), -1).sin() * factor)
    with pytest.raises(ConfigError, match="need 8 values"):
        rope_from_config(HD, 64, 10000.0, {**scaling, "short_factor": [1.0], "long_factor": [1.0]})
    with pytest.raises(ConfigError, match="long_factor"):
        rope_from_config(HD, 64, 10000.0, {"rope_type": "longrope", "short_factor": short})
