"""Tiny versions of every family class: shapes, gradients, tying, causality, bad input.

Each family is built small (width <= 64, 2 layers, vocabulary <= 128) so the whole file
runs in seconds on a CPU.
"""

from __future__ import annotations

from typing import Callable

import pytest
import torch
import torch.nn.functional as F

from olm.core import init_args
from olm.core.errors import ConfigError
from olm.models import (
    Gemma2Model,
    Gemma3Model,
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
from olm.nn.embeddings import Embedding

V, D, HID, N = 96, 32, 64, 12

LLAMA3_SCALING = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 16,
}

# Test cases: a family's tiny model (the ``tiny`` fixture), some with a variant switched on.
VARIANTS: dict[str, tuple[str, dict]] = {
    "gpt2": ("gpt2", {}),
    "llama2_mha": ("llama2", {}),
    "llama2_gqa": ("llama2", {"num_kv_heads": 2}),
    "llama3": ("llama3", {"max_seq_len": 128, "rope_scaling": LLAMA3_SCALING}),
    "qwen2": ("qwen2", {}),
    "mistral": ("mistral", {}),
    "mixtral": ("mixtral", {}),
    "gemma2": ("gemma2", {}),
    "gemma3": ("gemma3", {}),
    "phi3": ("phi3", {}),
    "phi3_geglu": ("phi3", {"num_kv_heads": 2, "activation": "geglu"}),
    "phi4": ("phi4", {}),
    "olmo": ("olmo", {}),
    "opt": ("opt", {}),
}


@pytest.fixture
def make(tiny) -> Callable[..., torch.nn.Module]:
    """``make(case, **overrides)``: the tiny model of a :data:`VARIANTS` case."""

    def build(case: str, **overrides) -> torch.nn.Module:
        family, variant = VARIANTS[case]
        return tiny.model(family, **{**variant, **overrides})

    return build


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def ids(batch: int = 2, n: int = N) -> torch.Tensor:
    return torch.randint(0, V, (batch, n))


def embedding_and_head(model: torch.nn.Module) -> tuple[Embedding, OutputHead]:
    embeddings = [m for m in model.modules() if isinstance(m, Embedding)]
    heads = [m for m in model.modules() if isinstance(m, OutputHead)]
    assert len(embeddings) == 1 and len(heads) == 1
    return embeddings[0], heads[0]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_forward_shape_and_backward(name: str, make) -> None:
    model = make(name)
    x = ids()
    logits = model(x)
    assert logits.shape == (2, N, V)
    assert torch.isfinite(logits).all()
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), x[:, 1:].reshape(-1))
    loss.backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None and "experts" not in n]
    assert not missing, f"no gradient reached {missing}"
    embedding, _ = embedding_and_head(model)
    assert embedding.embedding.weight.grad.abs().sum() > 0


@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.parametrize("tie", [True, False])
def test_tie_identity(name: str, tie: bool, make) -> None:
    model = make(name, tie_weights=tie)
    embedding, head = embedding_and_head(model)
    assert (head.weight is embedding.embedding.weight) == tie
    untied = make(name, tie_weights=False)
    difference = sum(p.numel() for p in untied.parameters()) - sum(
        p.numel() for p in model.parameters()
    )
    assert difference == (V * D if tie else 0)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_causal(name: str, make) -> None:
    model = make(name).eval()
    x = ids()
    t = 5
    x2 = x.clone()
    x2[:, t] = (x2[:, t] + 1) % V
    with torch.no_grad():
        a, b = model(x), model(x2)
    torch.testing.assert_close(a[:, :t], b[:, :t])
    assert not torch.allclose(a[:, t:], b[:, t:])


def _changed_positions(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                       t: int, perturb: Callable[[torch.Tensor], torch.Tensor]) -> list[int]:
    x2 = x.clone()
    x2[:, t] = perturb(x2[:, t])
    with torch.no_grad():
        a, b = fn(x), fn(x2)
    return [i for i in range(x.shape[1]) if not torch.allclose(a[:, i], b[:, i], atol=1e-6)]


def test_mistral_sliding_window_limits_reach() -> None:
    # window 2 per layer, 2 layers: token 0 reaches outputs 0, 1 and 2 only.
    model = MistralModel(V, D, HID, 2, 4, 2, 32, sliding_window=2).eval()
    changed = _changed_positions(model, ids(), 0, lambda c: (c + 1) % V)
    assert changed == [0, 1, 2]
    full = MistralModel(V, D, HID, 2, 4, 2, 32, sliding_window=None).eval()
    assert _changed_positions(full, ids(), 0, lambda c: (c + 1) % V) == list(range(N))


def test_gemma2_alternates_local_then_global_layers(make) -> None:
    model = make("gemma2").eval()  # sliding_window 4, 2 layers
    stack = model.blocks[1]
    assert stack.pattern == [0, 1] and stack.num_variants == 2
    local, global_ = stack.stack[0], stack.stack[1]
    x = torch.randn(2, N, D)
    assert _changed_positions(local, x, 0, lambda h: h + 1.0) == [0, 1, 2, 3]
    assert _changed_positions(global_, x, 0, lambda h: h + 1.0) == list(range(N))
    assert len(stack.stack) == 2


def test_gemma2_odd_layer_counts_alternate_from_local() -> None:
    # The pattern Repeat needs no pairs: 3 layers are local, global, local.
    model = Gemma2Model(V, D, HID, 3, 4, 2, 16, 32, sliding_window=4)
    windows = [layer.blocks[0].block.blocks[1].sliding_window for layer in model.blocks[1].stack]
    assert windows == [4, None, 4]


def test_gemma3_five_local_layers_to_one_global_with_their_own_rope_bases() -> None:
    model = Gemma3Model(V, D, HID, 8, 4, 2, 16, 32, sliding_window=4,
                        rope_scaling={"rope_type": "linear", "factor": 8.0})
    attns = [layer.blocks[0].block.blocks[1] for layer in model.blocks[1].stack]
    assert [a.sliding_window for a in attns] == [4, 4, 4, 4, 4, None, 4, 4]
    assert {a.rope.base for a in attns if a.sliding_window} == {10_000.0}
    (global_,) = [a for a in attns if a.sliding_window is None]
    assert global_.rope.base == 1_000_000.0 and global_.rope.scaling.kind == "linear"
    assert all(a.rope.scaling.kind == "default" for a in attns if a.sliding_window)
    assert all(a.q_norm.weight.shape == (16,) for a in attns)  # QK-norm per head
    x = torch.randn(2, N, D)
    assert _changed_positions(attns[0], x, 0, lambda h: h + 1.0) == [0, 1, 2, 3]
    assert _changed_positions(global_, x, 0, lambda h: h + 1.0) == list(range(N))


def test_gemma2_final_logit_softcap(make) -> None:
    capped = make("gemma2")
    uncapped = make("gemma2", final_logit_softcap=None)
    uncapped.load_state_dict(capped.state_dict())
    with torch.no_grad():
        capped.blocks[0].embedding.weight.mul_(50.0)
        uncapped.blocks[0].embedding.weight.mul_(50.0)
        x = ids()
        raw = uncapped(x)
        assert raw.abs().max() > 30.0  # the cap has something to do
        torch.testing.assert_close(capped(x), 30.0 * torch.tanh(raw / 30.0))


def test_gemma2_embedding_scaled_by_sqrt_width(make) -> None:
    model = make("gemma2")
    embedding = model.blocks[0]
    x = ids()
    torch.testing.assert_close(embedding(x), embedding.embedding.weight[x] * D**0.5)


def test_mixtral_routes_top_k_per_token(make) -> None:
    model = make("mixtral")
    model(ids())
    moes = [m for m in model.modules() if hasattr(m, "last_expert_counts")]
    assert len(moes) == 2
    for moe in moes:
        assert int(moe.last_expert_counts.sum()) == 2 * N * 2
        assert moe.aux_loss.dim() == 0


def test_family_records_its_arguments() -> None:
    model = Llama3Model(V, D, HID, 2, 4, 2, 32, tie_weights=False)
    assert init_args(model) == dict(
        vocab_size=V, embed_dim=D, intermediate_size=HID, num_layers=2, num_heads=4,
        num_kv_heads=2, max_seq_len=32, tie_weights=False,
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Llama3Model(V, 30, HID, 2, 4, 2, 32), "divisible"),
        (lambda: Llama3Model(V, D, HID, 2, 4, 3, 32), "num_kv_heads 3 must divide num_heads 4"),
        (lambda: Qwen2Model(V, D, HID, 0, 4, 2, 32), "num_layers"),
        (lambda: Gemma2Model(V, D, HID, 0, 4, 2, 16, 32), "num_layers"),
        (lambda: Gemma3Model(V, D, HID, 2, 4, 2, 16, 32, local_per_global=-1),
         "local_per_global"),
        (lambda: Phi3Model(V, D, HID, 2, 4, 4, 32, activation="relu"), "activation"),
        (lambda: GPT2Model(V, 30, 2, 4, 32), "divisible"),
        (lambda: MixtralModel(V, D, HID, 2, 4, 2, 32, num_experts=0), "num_experts"),
    ],
)
def test_bad_hyperparameters_raise_config_error(build, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build()


def test_wrong_input_shape_names_the_expected_one(make) -> None:
    model = make("llama3")
    with pytest.raises(ValueError, match=r"\[batch, seq\]"):
        model(torch.randn(2, N, D))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_kv_cache_decoding_matches_full_forward(name: str, make) -> None:
    from olm.nn.attention import KVCache

    model = make(name).eval()
    x = ids()
    cache = KVCache()
    with torch.no_grad():
        full = model(x)
        steps = [model(x[:, :5], kv_cache=cache)]
        steps += [model(x[:, t : t + 1], kv_cache=cache) for t in range(5, N)]
    torch.testing.assert_close(torch.cat(steps, dim=1), full, atol=1e-5, rtol=1e-4)
    assert cache.length == N


@pytest.mark.parametrize("name", ["llama3", "gpt2", "gemma2"])
def test_padding_mask_reaches_attention(name: str, make) -> None:
    model = make(name).eval()
    x = ids()
    keep = torch.ones(2, N, dtype=torch.bool)
    keep[0, 2] = False  # hide token 2 of the first sequence from every query
    with torch.no_grad():
        plain, masked = model(x), model(x, mask=keep)
    torch.testing.assert_close(masked[1], plain[1])
    torch.testing.assert_close(masked[0, :2], plain[0, :2])
    assert not torch.allclose(masked[0, 3:], plain[0, 3:])


FAMILIES = [GPT2Model, Llama2Model, Llama3Model, Qwen2Model, MistralModel, MixtralModel,
            Gemma2Model, Phi3Model, Phi4Model, OLMoModel, OPTModel]


@pytest.mark.parametrize("cls", FAMILIES, ids=lambda c: c.__name__)
def test_family_docstring_documents_every_argument(cls: type) -> None:
    from olm.core import init_signature

    doc = cls.__doc__ or ""
    assert cls.family == "model"
    assert doc.splitlines()[0].strip(), "first line is the palette description"
    args = doc.split("Args:", 1)[1]
    for name in init_signature(cls).parameters:
        assert f"\n        {name} (" in args, f"{cls.__name__} docstring lacks {name}"
