"""The reference page's snippets, exactly as written there, read by ``from_python``.

Where a snippet leaves values undefined (``embed_dim``), small ones are defined first, as
the page's own test does. Each snippet is also run, and the document built from the
parsed text must have the structure of what running it produced.
"""

from __future__ import annotations

import pytest
import torch
from graph_helpers import shapes

from olm.graph import build, from_python, from_source, to_python

PRELUDE = "embed_dim, num_heads, max_seq_len, vocab_size = 64, 16, 32, 128\n"

GPT2_BLOCK = '''from olm.nn.structure import Block
from olm.nn.structure.combinators import Residual
from olm.nn.attention import MultiHeadAttention
from olm.nn.feedforward import ClassicFFN
from olm.nn.norms import LayerNorm

gpt2_block = Block([
    Residual(Block([LayerNorm(embed_dim), MultiHeadAttention(embed_dim, num_heads, causal=True)])),
    Residual(Block([LayerNorm(embed_dim), ClassicFFN(embed_dim)])),
])
'''

ROPE = '''from olm.nn.attention import MultiHeadAttentionwithRoPE

# replaces a separate AbsolutePositionalEmbedding + plain attention
MultiHeadAttentionwithRoPE(embed_dim, num_heads, max_seq_len, causal=True)
'''

RMS = '''from olm.nn.norms import RMSNorm

RMSNorm(embed_dim)   # in place of LayerNorm(embed_dim)
'''

SWIGLU = '''from olm.nn.feedforward import SwiGLUFFN

SwiGLUFFN(embed_dim, bias=False)   # in place of ClassicFFN(embed_dim)
'''

GQA = '''from olm.nn.attention import GroupedQueryAttention

# 16 query heads sharing 4 key/value heads; RoPE is built in
GroupedQueryAttention(embed_dim, num_heads=16, num_kv_heads=4, max_seq_len=max_seq_len)
'''

MOE = '''from olm.nn.feedforward.swiglu_moe import SwiGLUMoEFFN

# 8 expert feed-forwards; each token uses the top 2
SwiGLUMoEFFN(embed_dim, num_experts=8, top_k=2, bias=False)
'''

MODERN = '''from olm.nn.structure import Block
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

PRESET = '''from olm.models import Llama3_1_8B, Qwen2_5_7B

model = Llama3_1_8B()
'''


def _run(source: str, result: str | None = None):
    """Run a snippet on meta; return ``result``'s value, or the value of its last line."""
    lines = source.rstrip().splitlines()
    if result is None:
        lines[-1] = "_result = " + lines[-1].split("#")[0].strip()
        result = "_result"
    namespace: dict = {}
    with torch.device("meta"):
        exec("\n".join(lines), namespace)
    return namespace[result]


@pytest.mark.parametrize(
    ("snippet", "name"), [(GPT2_BLOCK, "gpt2_block"), (MODERN, "modern")], ids=["gpt2_block", "modern"]
)
def test_container_snippets_build_what_running_them_builds(snippet, name):
    source = PRELUDE + snippet
    graph = from_python(source)
    assert shapes(build(graph, device="meta", check=False)) == shapes(_run(source, name))
    assert from_python(to_python(graph)) == graph


@pytest.mark.parametrize("snippet", [ROPE, RMS, SWIGLU, GQA, MOE], ids=["rope", "rms", "swiglu", "gqa", "moe"])
def test_component_snippets_parse_into_one_node(snippet):
    source = PRELUDE + snippet
    graph = from_python(source)
    root = graph.nodes[graph.root]
    assert root.type == "Block" and len(root.children) == 1
    built = build(graph, device="meta", check=False).blocks[0]
    expected = _run(source)
    assert type(built) is type(expected)
    assert shapes(built) == shapes(expected)
    assert from_python(to_python(graph)) == graph


def test_modern_snippet_is_a_valid_model_with_variables():
    graph = from_python(MODERN)
    assert graph.variables == {
        "vocab_size": 32000, "embed_dim": 2048, "num_layers": 16, "max_seq_len": 4096,
        "num_heads": 16, "num_kv_heads": 4,
    }
    from olm.graph import validate

    assert [d for d in validate(graph) if d.severity == "error"] == []


def test_preset_snippet_reads_as_the_preset():
    assert from_python(PRESET) == from_source("Llama3_1_8B")
