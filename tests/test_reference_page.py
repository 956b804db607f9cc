"""Every code snippet of the reference page runs exactly as written.

The snippets below are copied verbatim from ``modern-language-modelling.txt`` (the user's
description of the library). Where a snippet uses names it leaves undefined
(``embed_dim``, ``num_heads``, ``max_seq_len``) the test defines small values first; the
last, full-size snippet defines its own sizes and runs on the meta device, and a copy
with small sizes runs forward. Each result is checked against plain-PyTorch arithmetic.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
PAGE_NAME = "modern-language-modelling.txt"
# The shared reference beside the repository (the workspace's ../shared, a CI clone's
# ../shared), and the copy committed in docs/reference so the check never does less.
SHARED_PAGE = ROOT.parent / "shared" / "reference" / PAGE_NAME
COMMITTED_PAGE = ROOT / "docs" / "reference" / PAGE_NAME

GPT2_BLOCK = '''\
from olm.nn.structure import Block
from olm.nn.structure.combinators import Residual
from olm.nn.attention import MultiHeadAttention
from olm.nn.feedforward import ClassicFFN
from olm.nn.norms import LayerNorm

gpt2_block = Block([
    Residual(Block([LayerNorm(embed_dim), MultiHeadAttention(embed_dim, num_heads, causal=True)])),
    Residual(Block([LayerNorm(embed_dim), ClassicFFN(embed_dim)])),
])
'''

ROPE_ATTENTION = '''\
from olm.nn.attention import MultiHeadAttentionwithRoPE

# replaces a separate AbsolutePositionalEmbedding + plain attention
MultiHeadAttentionwithRoPE(embed_dim, num_heads, max_seq_len, causal=True)
'''

RMSNORM = '''\
from olm.nn.norms import RMSNorm

RMSNorm(embed_dim)   # in place of LayerNorm(embed_dim)
'''

SWIGLU = '''\
from olm.nn.feedforward import SwiGLUFFN

SwiGLUFFN(embed_dim, bias=False)   # in place of ClassicFFN(embed_dim)
'''

GQA = '''\
from olm.nn.attention import GroupedQueryAttention

# 16 query heads sharing 4 key/value heads; RoPE is built in
GroupedQueryAttention(embed_dim, num_heads=16, num_kv_heads=4, max_seq_len=max_seq_len)
'''

MOE = '''\
from olm.nn.feedforward.swiglu_moe import SwiGLUMoEFFN

# 8 expert feed-forwards; each token uses the top 2
SwiGLUMoEFFN(embed_dim, num_experts=8, top_k=2, bias=False)
'''

MODERN_MODEL = '''\
from olm.nn.structure import Block
from olm.nn.structure.combinators import Residual, Repeat
from olm.nn.embeddings import Embedding
from olm.nn.attention import GroupedQueryAttention
from olm.nn.feedforward import SwiGLUFFN
from olm.nn.norms import RMSNorm
from olm.nn.blocks import OutputHead

vocab_size, embed_dim, num_layers, max_seq_len = 32000, 2048, 16, 4096
num_heads, num_kv_heads = 16, 4

modern = Block([
    Embedding(vocab_size, embed_dim),                       # no separate positional embedding —
    Repeat(lambda: Block([                                  # RoPE lives inside the attention
        Residual(Block([
            RMSNorm(embed_dim),
            GroupedQueryAttention(embed_dim, num_heads, num_kv_heads, max_seq_len),
        ])),
        Residual(Block([
            RMSNorm(embed_dim),
            SwiGLUFFN(embed_dim, bias=False),
        ])),
    ]), num_layers),
    OutputHead(embed_dim, vocab_size),
])
'''

PRESETS_IMPORT = '''\
from olm.models import Llama3_1_8B, Qwen2_5_7B

model = Llama3_1_8B()
'''

SNIPPETS = {
    "GPT2_BLOCK": GPT2_BLOCK,
    "ROPE_ATTENTION": ROPE_ATTENTION,
    "RMSNORM": RMSNORM,
    "SWIGLU": SWIGLU,
    "GQA": GQA,
    "MOE": MOE,
    "MODERN_MODEL": MODERN_MODEL,
    "PRESETS_IMPORT": PRESETS_IMPORT,
}


def run_snippet(source: str, **names: Any) -> tuple[dict[str, Any], Any]:
    """Execute ``source`` with ``names`` predefined; return its namespace and the value of
    a trailing bare expression (the page ends several snippets with one)."""
    tree = ast.parse(source)
    namespace: dict[str, Any] = dict(names)
    value = None
    body = tree.body
    if body and isinstance(body[-1], ast.Expr):
        exec(compile(ast.Module(body=body[:-1], type_ignores=[]), "<snippet>", "exec"), namespace)
        value = eval(compile(ast.Expression(body[-1].value), "<snippet>", "eval"), namespace)
    else:
        exec(compile(tree, "<snippet>", "exec"), namespace)
    return namespace, value


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def assert_causal(fn, x: torch.Tensor, t: int) -> None:
    """Changing position ``t`` of the input leaves every earlier output unchanged."""
    with torch.no_grad():
        before = fn(x)
        x2 = x.clone()
        x2[:, t] = x2[:, t] + 1.0 if x.is_floating_point() else (x2[:, t] + 1) % 100
        after = fn(x2)
    torch.testing.assert_close(before[:, :t], after[:, :t])
    assert not torch.allclose(before[:, t:], after[:, t:])


D, H, L = 32, 4, 16


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def test_snippets_are_the_pages_code() -> None:
    for name, source in SNIPPETS.items():
        ast.parse(source)  # valid Python as written
        assert source.lstrip().startswith("from olm"), name
    assert COMMITTED_PAGE.is_file(), f"{COMMITTED_PAGE} is missing: copy the reference page in"
    for page_path in (SHARED_PAGE, COMMITTED_PAGE):
        if not page_path.is_file():
            continue  # only the shared one may be absent (a clone without ../shared)
        page = page_path.read_text(encoding="utf-8")
        for name, source in SNIPPETS.items():
            assert source in page, f"{name} is no longer verbatim from {page_path}"


def test_gpt2_block() -> None:
    ns, _ = run_snippet(GPT2_BLOCK, embed_dim=D, num_heads=H)
    block = ns["gpt2_block"]
    x = torch.randn(2, L, D)
    assert block(x).shape == (2, L, D)
    assert_causal(block, x, 5)
    # two LayerNorms, biased q/k/v/out projections, a 4x GELU MLP with biases
    expected = 2 * 2 * D + 4 * (D * D + D) + (D * 4 * D + 4 * D) + (4 * D * D + D)
    assert n_params(block) == expected


def test_rope_attention() -> None:
    _, attn = run_snippet(ROPE_ATTENTION, embed_dim=D, num_heads=H, max_seq_len=L)
    x = torch.randn(2, L, D)
    assert attn(x).shape == (2, L, D)
    assert_causal(attn, x, 7)
    assert n_params(attn) == 4 * (D * D + D)  # no learned positions: RoPE has no weights


def test_rmsnorm() -> None:
    _, norm = run_snippet(RMSNORM, embed_dim=D)
    x = torch.randn(2, L, D)
    with torch.no_grad():
        norm.weight.uniform_(0.5, 1.5)
    expected = x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + norm.eps) * norm.weight
    torch.testing.assert_close(norm(x), expected)
    assert n_params(norm) == D  # a scale, no shift


def test_swiglu() -> None:
    _, ffn = run_snippet(SWIGLU, embed_dim=D)
    assert all(p.dim() == 2 for p in ffn.parameters()), "bias=False leaves only weights"
    x = torch.randn(2, L, D)
    value, gate = F.linear(x, ffn.up_proj.weight).chunk(2, dim=-1)
    expected = F.linear(value * F.silu(gate), ffn.down_proj.weight)
    torch.testing.assert_close(ffn(x), expected)


def test_gqa() -> None:
    embed_dim = 64  # 16 query heads of width 4
    _, attn = run_snippet(GQA, embed_dim=embed_dim, max_seq_len=L)
    head_dim = embed_dim // 16
    x = torch.randn(2, L, embed_dim)
    assert attn(x).shape == (2, L, embed_dim)
    assert_causal(attn, x, 3)
    # q and out full width; k and v only 4 heads wide; no biases
    assert n_params(attn) == 2 * embed_dim * embed_dim + 2 * embed_dim * 4 * head_dim


def test_moe() -> None:
    _, moe = run_snippet(MOE, embed_dim=D)
    x = torch.randn(2, L, D)
    out = moe(x)
    assert isinstance(out, torch.Tensor) and out.shape == (2, L, D)
    assert moe.aux_loss.dim() == 0
    assert int(moe.last_expert_counts.sum()) == 2 * L * 2  # every token went to 2 experts
    assert len(moe.experts) == 8


def _modern_param_count(vocab_size: int, embed_dim: int, num_layers: int,
                        num_heads: int, num_kv_heads: int) -> int:
    head_dim = embed_dim // num_heads
    hidden = int(2.5 * embed_dim)  # SwiGLUFFN's default width
    attention = 2 * embed_dim * embed_dim + 2 * embed_dim * num_kv_heads * head_dim
    ffn = 3 * embed_dim * hidden
    layer = 2 * embed_dim + attention + ffn  # two RMSNorm scales
    head = 2 * embed_dim + embed_dim * vocab_size  # default LayerNorm + untied projection
    return vocab_size * embed_dim + num_layers * layer + head


def test_modern_model_full_size_on_meta() -> None:
    with torch.device("meta"):
        ns, _ = run_snippet(MODERN_MODEL)
    modern = ns["modern"]
    assert all(p.is_meta for p in modern.parameters())
    assert n_params(modern) == _modern_param_count(32000, 2048, 16, 16, 4)
    assert len(modern.blocks[1].stack) == 16


def test_modern_model_small_copy_runs() -> None:
    small = MODERN_MODEL.replace("32000, 2048, 16, 4096", "128, 64, 2, 32")
    assert small != MODERN_MODEL
    ns, _ = run_snippet(small)
    modern = ns["modern"]
    ids = torch.randint(0, 128, (2, 10))
    logits = modern(ids)
    assert logits.shape == (2, 10, 128)
    assert n_params(modern) == _modern_param_count(128, 64, 2, 16, 4)
    assert_causal(modern, ids, 6)
    logits.logsumexp(-1).mean().backward()
    assert modern.blocks[0].embedding.weight.grad is not None


def test_presets_import_builds_on_meta() -> None:
    from olm.models import PRESETS

    with torch.device("meta"):
        ns, _ = run_snippet(PRESETS_IMPORT)
    model = ns["model"]
    assert ns["Qwen2_5_7B"] is PRESETS["Qwen2_5_7B"].cls
    assert next(model.parameters()).is_meta
    # Llama 3.1 8B: 128256 x 4096 embedding and head, 32 layers of GQA (8 KV heads) + SwiGLU
    d, v, inter, kv = 4096, 128256, 14336, 8 * 128
    layer = 2 * d * d + 2 * d * kv + 3 * d * inter + 2 * d
    assert n_params(model) == 2 * v * d + 32 * layer + d == PRESETS["Llama3_1_8B"].params
