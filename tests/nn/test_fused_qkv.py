"""The fused q/k/v projection: same numbers, same API and the same state-dict layout as before.

The reference is the pre-fusion layer written out independently: three separate
``nn.Linear`` for q, k and v, then SDPA. Its state dict is exactly what checkpoints
written before the fusion hold.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, load_model, save_file, save_model
from torch import nn

from olm.core import init_args
from olm.graph import from_module, from_python, to_python
from olm.models import GPT2Model, Llama3Model
from olm.nn.attention import (
    FlashAttention,
    FlashAttentionwithRoPE,
    GroupedQueryAttention,
    MultiHeadAttention,
    MultiHeadAttentionwithALiBi,
    MultiHeadAttentionwithRoPE,
    SlidingWindowAttention,
)
from olm.nn.attention._fused import ProjectionView

D, H, KV, N, B, L = 32, 4, 2, 6, 2, 64

LAYERS = {
    "mha": lambda: MultiHeadAttention(D, H, causal=True),
    "mha_rope": lambda: MultiHeadAttentionwithRoPE(D, H, L, causal=True),
    "flash": lambda: FlashAttention(D, H, causal=True),
    "flash_rope": lambda: FlashAttentionwithRoPE(D, H, L, causal=True, bias=False),
    "gqa": lambda: GroupedQueryAttention(D, H, KV, L),
    "gqa_bias_qknorm": lambda: GroupedQueryAttention(D, H, KV, L, qkv_bias=True, use_qk_norm=True),
    "gqa_head_dim": lambda: GroupedQueryAttention(D, H, 1, L, head_dim=12, use_bias=True),
    "swa": lambda: SlidingWindowAttention(D, H, KV, L, window_size=3),
    "alibi": lambda: MultiHeadAttentionwithALiBi(D, H),
}


class UnfusedGPT2Attention(nn.Module):
    """The layer as it was before the fusion: separate q/k/v Linears (GPT-2 style, causal)."""

    def __init__(self, d: int, h: int) -> None:
        super().__init__()
        self.h = h
        self.q_proj, self.k_proj, self.v_proj = (nn.Linear(d, d) for _ in range(3))
        self.out_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = (
            p(x).view(b, n, self.h, d // self.h).transpose(1, 2)
            for p in (self.q_proj, self.k_proj, self.v_proj)
        )
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out_proj(y.transpose(1, 2).reshape(b, n, d))


def _keys(layer: nn.Module) -> list[str]:
    return [k for k in layer.state_dict() if "_proj." in k]


@pytest.mark.parametrize("name", list(LAYERS))
def test_state_dict_keeps_the_three_projection_layout(name):
    layer = LAYERS[name]()
    suffixes = ["weight", "bias"] if layer.qkv_proj.bias is not None else ["weight"]
    want = [f"{p}_proj.{s}" for p in "qkv" for s in suffixes]
    assert _keys(layer)[: len(want)] == want
    assert not any(k.startswith("qkv_proj") for k in layer.state_dict())
    sd = layer.state_dict()
    assert sd["q_proj.weight"].shape == (layer.q_dim, D)
    assert sd["k_proj.weight"].shape == sd["v_proj.weight"].shape == (layer.kv_dim, D)
    # q, k, v are the fused weight's rows, in that order
    assert torch.equal(torch.cat([sd[f"{p}_proj.weight"] for p in "qkv"]), layer.qkv_proj.weight)
    # copies, not views: safetensors refuses tensors that share part of a storage
    ptrs = {sd[f"{p}_proj.weight"].untyped_storage().data_ptr() for p in "qkv"}
    assert len(ptrs) == 3


def test_state_dict_order_is_that_of_three_linears_then_out():
    keys = list(GroupedQueryAttention(D, H, KV, L, qkv_bias=True, use_bias=True).state_dict())
    assert keys == [
        "q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias",
        "v_proj.weight", "v_proj.bias", "out_proj.weight", "out_proj.bias",
    ]
    keys = list(GroupedQueryAttention(D, H, KV, L, use_qk_norm=True).state_dict())
    assert keys == ["q_proj.weight", "k_proj.weight", "v_proj.weight", "out_proj.weight",
                    "q_norm.weight", "k_norm.weight"]


@pytest.mark.parametrize("name", list(LAYERS))
def test_round_trip_through_the_state_dict(name):
    torch.manual_seed(1)
    a = LAYERS[name]().eval()
    torch.manual_seed(2)
    b = LAYERS[name]().eval()
    x = torch.randn(B, N, D)
    assert not torch.allclose(a(x), b(x))
    b.load_state_dict(a.state_dict(), strict=True)
    assert torch.equal(a(x), b(x))
    assert torch.equal(a.qkv_proj.weight, b.qkv_proj.weight)


def test_fused_matches_the_unfused_layer_forward_and_backward():
    """An old-layout (pre-fusion) state dict loads, and values and gradients agree."""
    old = UnfusedGPT2Attention(D, H)
    new = FlashAttention(D, H, causal=True)
    new.load_state_dict(old.state_dict(), strict=True)
    x1 = torch.randn(B, N, D, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_(True)
    y_old, y_new = old(x1), new(x2)
    torch.testing.assert_close(y_new, y_old, rtol=1e-5, atol=1e-6)
    g = torch.randn_like(y_old)
    y_old.backward(g)
    y_new.backward(g)
    torch.testing.assert_close(x2.grad, x1.grad, rtol=1e-5, atol=1e-6)
    fused_grad = new.qkv_proj.weight.grad
    fused_bias_grad = new.qkv_proj.bias.grad
    want_w = torch.cat([old.q_proj.weight.grad, old.k_proj.weight.grad, old.v_proj.weight.grad])
    want_b = torch.cat([old.q_proj.bias.grad, old.k_proj.bias.grad, old.v_proj.bias.grad])
    torch.testing.assert_close(fused_grad, want_w, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(fused_bias_grad, want_b, rtol=1e-5, atol=1e-6)
    # ... and the state dict it writes back is the old one, key for key
    back = new.state_dict()
    for key, value in old.state_dict().items():
        assert torch.equal(back[key], value), key
    assert list(back) == list(old.state_dict())


def test_views_read_and_write_the_fused_rows():
    layer = GroupedQueryAttention(D, H, KV, L, qkv_bias=True)
    q, k, v = layer.q_proj, layer.k_proj, layer.v_proj
    assert all(isinstance(p, ProjectionView) for p in (q, k, v))
    assert (q.in_features, q.out_features) == (D, layer.q_dim)
    assert k.out_features == v.out_features == layer.kv_dim
    assert (q.rows, k.rows, v.rows) == (
        (0, layer.q_dim),
        (layer.q_dim, layer.q_dim + layer.kv_dim),
        (layer.q_dim + layer.kv_dim, layer.q_dim + 2 * layer.kv_dim),
    )
    w = torch.randn(layer.kv_dim, D)
    with torch.no_grad():
        layer.k_proj.weight.copy_(w)
        layer.v_proj.bias.fill_(3.0)
    assert torch.equal(layer.qkv_proj.weight[layer.q_dim : layer.q_dim + layer.kv_dim], w)
    assert torch.all(layer.qkv_proj.bias[-layer.kv_dim :] == 3.0)
    x = torch.randn(B, N, D)
    torch.testing.assert_close(k(x), F.linear(x, w, layer.qkv_proj.bias[k.rows[0] : k.rows[1]]))
    assert GroupedQueryAttention(D, H, KV, L).q_proj.bias is None
    assert "rows=0:32" in repr(q)


def test_a_wrong_part_shape_names_the_part():
    layer = GroupedQueryAttention(D, H, KV, L)
    sd = layer.state_dict()
    sd["k_proj.weight"] = torch.zeros(D, D)
    with pytest.raises(RuntimeError, match=r"size mismatch for k_proj\.weight.*\(32, 32\)"):
        layer.load_state_dict(sd)
    sd = layer.state_dict()
    del sd["v_proj.weight"]
    with pytest.raises(RuntimeError, match="v_proj.weight"):
        layer.load_state_dict(sd)


def test_meta_construction_allocates_nothing_and_keeps_the_layout():
    with torch.device("meta"):
        layer = GroupedQueryAttention(4096, 32, 8, 8192)
    assert layer.qkv_proj.weight.is_meta
    sd = layer.state_dict()
    assert sd["q_proj.weight"].is_meta and sd["k_proj.weight"].shape == (1024, 4096)


def _tiny_llama() -> nn.Module:
    return Llama3Model(vocab_size=64, embed_dim=32, intermediate_size=48, num_layers=2,
                       num_heads=4, num_kv_heads=2, max_seq_len=32, tie_weights=False)


def test_safetensors_files_keep_the_old_keys_and_old_files_load(tmp_path):
    torch.manual_seed(0)
    model = _tiny_llama().eval()
    save_model(model, str(tmp_path / "m.safetensors"))
    stored = load_file(str(tmp_path / "m.safetensors"))
    assert not any("qkv_proj" in k for k in stored)
    assert sum(k.endswith("k_proj.weight") for k in stored) == 2
    torch.manual_seed(1)
    other = _tiny_llama().eval()
    ids = torch.randint(0, 64, (2, 8))
    assert not torch.allclose(model(ids), other(ids))
    load_model(other, str(tmp_path / "m.safetensors"))
    assert torch.equal(model(ids), other(ids))
    # A file written with the old layout by plain safetensors (as checkpoints were) loads too.
    save_file({k: v.contiguous() for k, v in stored.items()}, str(tmp_path / "old.safetensors"))
    third = _tiny_llama().eval()
    missing, unexpected = third.load_state_dict(load_file(str(tmp_path / "old.safetensors")))
    assert not missing and not unexpected
    assert torch.equal(model(ids), third(ids))


@pytest.mark.parametrize("make", [
    lambda: GPT2Model(vocab_size=64, embed_dim=32, num_layers=2, num_heads=4, max_seq_len=16),
    _tiny_llama,
])
def test_printed_python_and_recorded_arguments_are_unchanged(make):
    model = make()
    graph = from_module(model)
    source = to_python(graph)
    assert "qkv" not in source and "q_proj" not in source
    attn = next(m for m in model.modules() if hasattr(m, "qkv_proj"))
    assert "qkv" not in str(init_args(attn))
    rebuilt = from_python(source)
    assert to_python(rebuilt) == source
