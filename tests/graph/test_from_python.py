"""Reading Python: what is read, and what is refused with the line number and the reason."""

from __future__ import annotations

import pytest

from olm.core.errors import FileFormatError
from olm.graph import from_python, to_python

IMPORTS = """from olm.nn.blocks import OutputHead
from olm.nn.embeddings import Embedding
from olm.nn.norms import RMSNorm
from olm.nn.structure import Block
"""


def _refused(source: str, line: int, reason: str) -> None:
    with pytest.raises(FileFormatError) as info:
        from_python(source, filename="model.py")
    message = str(info.value)
    assert message.startswith(f"model.py, line {line}:"), message
    assert reason in message, message


def test_variables_arithmetic_and_bound_components_are_read():
    source = IMPORTS + """
vocab_size = 128
embed_dim = 2 * 16
hidden = embed_dim * 4 // 2
embedding = Embedding(vocab_size, embed_dim)
model = Block([embedding, RMSNorm(embed_dim, eps=1e-6), OutputHead(embed_dim, vocab_size, tied_embedding=embedding)])

if __name__ == "__main__":
    import os
    os.system("echo this block is never read")
"""
    graph = from_python(source)
    assert graph.variables == {"vocab_size": 128, "embed_dim": {"expr": "2 * 16"}, "hidden": {"expr": "embed_dim * 4 // 2"}}
    root = graph.nodes[graph.root]
    embedding, norm, head = (graph.nodes[c] for c in root.children)
    assert norm.params == {"d_model": {"var": "embed_dim"}, "eps": 1e-6}
    assert head.params["tied_embedding"] == {"ref": embedding.id}
    assert from_python(to_python(graph)) == graph


def test_the_file_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    source = IMPORTS + f"""
open({str(marker)!r}, "w").write("x")
model = Block([Embedding(8, 4)])
"""
    with pytest.raises(FileFormatError):
        from_python(source)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("import os\n", 1, "only `import torch`"),
        ("from os import path\n", 1, "imports from 'os'"),
        ("from olm.nn.norms import Nope\n", 1, "'Nope' is not an olm component"),
        ("from olm.nn.norms import RMSNorm\nfor i in range(3):\n    pass\n", 2, "a for loop is not read"),
        ("from olm.nn.norms import RMSNorm\ndef f():\n    pass\n", 2, "a function definition"),
        ("from olm.nn.norms import RMSNorm\nx = __import__('os')\n", 2, "not read here"),
        ("from olm.nn.norms import RMSNorm\nx = RMSNorm(width)\n", 2, "'width' is not defined"),
        ("from olm.nn.norms import RMSNorm\nx = RMSNorm(8, bogus=1)\n", 2, "has no parameter 'bogus'"),
        ("from olm.nn.norms import RMSNorm\nx = RMSNorm()\n", 2, "needs a value for 'd_model'"),
        ("from olm.nn.norms import RMSNorm\nx = RMSNorm(8).weight\n", 2, "attribute access"),
        ("x = 2 ** 10 ** 10\n", 1, "too large"),
        ("x = 1 / 0\n", 1, "divides by zero"),
        ("from olm.nn.structure import Block, Repeat\nfrom olm.nn.norms import RMSNorm\nb = Block([RMSNorm(8)])\nm = Repeat(lambda: b, 2)\n", 4, "new block for every copy"),
        ("from olm.nn.structure import Block\nfrom olm.nn.norms import RMSNorm\nn = RMSNorm(8)\nm = Block([n, n])\n", 4, "already used once"),
        ("from olm.nn.norms import RMSNorm\nunused = RMSNorm(8)\nx = 3\nmodel = RMSNorm(8)\n", 2, "not part of the model"),
        ("x = (\n", 1, "not valid Python"),
    ],
)
def test_refusals_name_the_line_and_the_reason(body, line, reason):
    _refused(body, line, reason)


def test_no_model_at_all():
    with pytest.raises(FileFormatError, match="defines no model"):
        from_python("x = 1\n", filename="model.py")


def test_hostile_sizes_are_refused():
    with pytest.raises(FileFormatError, match="too large"):
        from_python("x = 1\n" * 1_000_000)
    with pytest.raises(FileFormatError, match="nested too deeply|cannot be parsed|not valid"):
        from_python("x = " + "(" * 10_000 + "1" + ")" * 10_000)
