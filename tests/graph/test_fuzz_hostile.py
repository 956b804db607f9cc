"""Hypothesis fuzzing of project documents, ``.py`` sources and expressions (issue 11).

The rule under test: whatever a file holds, olm answers with a result or an
:class:`~olm.core.errors.OLMError` (one clear message), never another exception and never
a hang. Each example runs under a per-example alarm (:func:`_limit`); a hang raises
:class:`Hang`, which no ``except Exception`` in olm can swallow.

About 11,500 examples in all, about 35 s of CPU time. The examples are derandomized so CI
is reproducible; ``OLM_FUZZ_SCALE=10`` (or more) searches ten times as long, with fresh
random examples, locally.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import os
import signal
import string
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_factory import TinyModels

from olm.core.errors import OLMError
from olm.graph import catalog, from_module, from_python, stats, to_python, validate
from olm.graph.document import CONTAINERS
from olm.graph.project import graph_from_data, graph_to_data
from olm.graph.to_python import format_literal
from olm.graph.values import evaluate

SCALE = max(1, int(os.environ.get("OLM_FUZZ_SCALE", "1")))
PER_EXAMPLE_SECONDS = 20.0  # generous: a busy CI machine is slow, a hang is endless

# pytest-timeout's thread method leaves SIGALRM to the per-example limit below.
pytestmark = pytest.mark.timeout(600, method="thread")


class Hang(BaseException):
    """An example ran past its time limit (BaseException: nothing in olm catches it)."""


@contextlib.contextmanager
def _limit(seconds: float = PER_EXAMPLE_SECONDS) -> Iterator[None]:
    def expired(signum: int, frame: Any) -> None:
        raise Hang(f"one example ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fuzz(examples: int):
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,  # a longer local search explores new examples
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _olm_or_nothing(fn, *args) -> Any:
    """``fn(*args)``, with an OLMError counting as a fine answer (returns None)."""
    try:
        return fn(*args)
    except OLMError:
        return None


# -- building blocks ----------------------------------------------------------------------

NAMES = ["embed_dim", "vocab_size", "num_heads", "num_layers", "hidden_dim", "x", "int", "max",
         "__import__", "os", "open", "model", "lambda", "Embedding"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**12, 10**15 + 1, 10**300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(['x"""; import os; """', "{x}", "\n", "\\", "'", "\x00", "é" * 3]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
NUMBER_TEXT = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["1e999", "1e-999", "0", "0.0", "10**12", "2**31", "9**9**9", "1_000", "0x10", "1j"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
EXPR = st.recursive(
    NUMBER_TEXT | st.sampled_from(NAMES),
    lambda e: st.one_of(
        st.tuples(e, st.sampled_from(["+", "-", "*", "/", "//", "%", "**", " if ", ".", "<", "and"]), e)
        .map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        e.map(lambda x: f"-({x})"),
        e.map(lambda x: f"({x})"),
        st.tuples(st.sampled_from(["int", "float", "round", "min", "max", "abs", "open", "__import__"]),
                  st.lists(e, max_size=3))
        .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
    ),
    max_leaves=8,
)
HOSTILE_EXPR = st.one_of(
    EXPR,
    st.text(alphabet=string.printable, max_size=30),
    st.sampled_from([
        " + ".join(["x"] * 5000), "-" * 50_000 + "1", "(" * 300 + "1" + ")" * 300,
        "__import__('os').system('true')", "[1] * 10**9", "'a' * 10**9", "round(1, -10**9)",
        "max(" + ",".join(["embed_dim"] * 400) + ")", "embed_dim ** embed_dim ** embed_dim",
    ]),
)
TAG = st.one_of(
    HOSTILE_EXPR.map(lambda e: {"expr": e}),
    st.sampled_from(NAMES + ["a b", "1x", ""]).map(lambda n: {"var": n}),
    st.text(max_size=8).map(lambda n: {"ref": n}),
    st.text(max_size=8).map(lambda n: {"module": n}),
    JSON.map(lambda v: {"literal": v}),
)
VALUE = st.one_of(JSON, TAG)


def _base_document() -> dict[str, Any]:
    """The tiny Llama's file content, with fixed node ids so every run fuzzes the same."""
    data = graph_to_data(from_module(TinyModels.model("llama3"), name="tiny"))
    text = json.dumps(data)
    for i, node_id in enumerate(data["graph"]["nodes"]):
        text = text.replace(node_id, f"n{i:03d}")
    return json.loads(text)


BASE = _base_document()
BASE_SOURCE = to_python(graph_from_data(BASE))
# Warm up once, untimed: the first meta-device build imports parts of torch lazily, which
# on a busy machine can take longer than an example may.
validate(graph_from_data(BASE))
stats(graph_from_data(BASE))


def _paths(data: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place inside ``data``, as the keys leading to it."""
    if prefix:
        yield prefix
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from _paths(value, prefix + (key,))


def _mutate(data: Any, draw) -> Any:
    """Change one randomly chosen place inside ``data``: replace, delete, rename or copy it."""
    # Hypothesis favours the first choices: put the interesting places (parameters,
    # variables) first and the format number last.
    paths = sorted(_paths(data), key=lambda p: 0 if "params" in p else 1 if "variables" in p else 2)
    if not paths or draw(st.integers(0, 50)) == 50:
        return draw(VALUE)
    values = [p for p in paths if "params" in p or "variables" in p]
    anywhere = draw(st.booleans())  # False (the first choice) keeps to values
    path = draw(st.sampled_from(paths if anywhere or not values else values))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "copy"]))
    if action == "delete":
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        new_key = draw(st.one_of(st.text(max_size=10), st.sampled_from(sorted(parent))))
        parent[new_key] = parent.pop(key)
    elif action == "copy":
        other = draw(st.sampled_from(paths))
        value = data
        for k in other:
            value = value[k] if isinstance(value, (dict, list)) and (k in value if isinstance(value, dict) else k < len(value)) else None
        parent[key] = copy.deepcopy(value)
    else:
        parent[key] = draw(VALUE)
    return data


_ALLOWED_CALLS = set(catalog().components) | set(CONTAINERS) | {
    "int", "float", "round", "min", "max", "abs", "sum", "print",
}


def _assert_safe(source: str) -> None:
    """What to_python wrote can only import olm, build components and print a count."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            raise AssertionError(f"exported code imports {ast.unparse(node)}")
        if isinstance(node, ast.ImportFrom):
            assert node.module and node.module.startswith("olm.") and not node.level, ast.unparse(node)
        if isinstance(node, ast.Attribute):
            assert node.attr in ("numel", "parameters"), ast.unparse(node)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            assert name in _ALLOWED_CALLS or name in ("numel", "parameters"), ast.unparse(node)[:200]
        assert not isinstance(node, (ast.Subscript, ast.Starred, ast.FunctionDef, ast.ClassDef,
                                     ast.With, ast.While, ast.For, ast.Try, ast.Global, ast.Delete,
                                     ast.NamedExpr, ast.Await, ast.Yield)), ast.unparse(node)[:200]


def _everything(graph) -> None:
    """Every reader of a document: validate, stats, print, and read the print back."""
    _olm_or_nothing(stats, graph)
    source = _olm_or_nothing(to_python, graph)
    if source is not None:
        _assert_safe(source)
        # What to_python writes must always be readable: never an exception of another kind.
        _olm_or_nothing(from_python, source)


# -- documents ----------------------------------------------------------------------------


@_fuzz(3500)
@given(st.data())
def test_mutated_documents_load_or_are_refused(data):
    document = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 4))):
        document = _mutate(document, data.draw)
    with _limit():
        graph = _olm_or_nothing(graph_from_data, document)
        if graph is not None:
            _everything(graph)


@_fuzz(60)
@given(st.data())
def test_mutated_documents_validate_or_explain(data):
    # validate() meta-builds every leaf: fewer, costlier examples.
    document = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 3))):
        document = _mutate(document, data.draw)
    with _limit():
        graph = _olm_or_nothing(graph_from_data, document)
        if graph is not None:
            diagnostics = _olm_or_nothing(validate, graph)
            assert diagnostics is None or isinstance(diagnostics, list)


@_fuzz(1500)
@given(st.one_of(JSON, st.text(max_size=200)))
def test_raw_json_text_loads_or_is_refused(value):
    text = value if isinstance(value, str) else json.dumps(value, allow_nan=True)
    with _limit():
        try:
            parsed = json.loads(text)
        except ValueError:
            return
        _olm_or_nothing(graph_from_data, parsed)
        _olm_or_nothing(graph_from_data, {"format": 1, "graph": parsed})


# -- expressions ---------------------------------------------------------------------------


@_fuzz(1500)
@given(HOSTILE_EXPR, st.dictionaries(st.sampled_from(NAMES), SCALARS, max_size=4))
def test_expressions_evaluate_or_are_refused(text, env):
    with _limit():
        result = _olm_or_nothing(evaluate, text, env)
        if isinstance(result, (int, float)) and not isinstance(result, bool):
            assert abs(result) <= 10**15


# -- .py sources ------------------------------------------------------------------------

IMPORTS = [
    "from olm.nn.structure import Block",
    "from olm.nn.structure.combinators import Repeat, Residual, Parallel",
    "from olm.nn.norms import RMSNorm, LayerNorm",
    "from olm.nn.embeddings import Embedding",
    "from olm.nn.blocks import OutputHead",
    "from olm.nn.feedforward import SwiGLUFFN",
    "import os",
    "from os import system",
    "from olm.cli.main import main",
]
COMPONENT = st.one_of(
    st.tuples(st.sampled_from(["RMSNorm", "LayerNorm", "SwiGLUFFN", "Embedding", "OutputHead", "Block",
                               "Repeat", "Residual", "Parallel", "system", "main"]),
              st.lists(st.one_of(EXPR, st.sampled_from(["lambda: RMSNorm(8)", "[RMSNorm(8)]", "eps=1e999",
                                                        "bias=open", "**{}", "*x"])), max_size=3))
    .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
)
STATEMENT = st.one_of(
    st.sampled_from(IMPORTS),
    st.tuples(st.sampled_from(NAMES), EXPR).map(lambda t: f"{t[0]} = {t[1]}"),
    st.tuples(st.sampled_from(["a", "b", "model"]), COMPONENT).map(lambda t: f"{t[0]} = {t[1]}"),
    COMPONENT.map(lambda c: f"model = Block([{c}])"),
    st.sampled_from([
        "while True: pass", "def f(): pass", "class A: pass", "x = [i for i in range(10**9)]",
        'if __name__ == "__main__":\n    import os\n    os.system("true")',
        "model = Repeat(lambda: Block([RMSNorm(8)]), 10**12)", "x = 9**9**9**9", "del x",
        "x: int = 3", "x += 1", "model = Block([RMSNorm(8)] * 10**9)", "@x\ndef f(): pass",
        "from olm.models import Llama3Model\nmodel = Llama3Model(32, 10**12, 32, 1, 2, 1, 16)",
    ]),
    st.text(alphabet=string.printable, max_size=40),
)


@_fuzz(2500)
@given(st.lists(STATEMENT, min_size=1, max_size=8))
def test_generated_sources_parse_or_are_refused(lines):
    source = "\n".join(lines) + "\n"
    with _limit():
        graph = _olm_or_nothing(from_python, source, "fuzz.py")
        if graph is not None:
            _everything(graph)


@_fuzz(1500)
@given(st.data())
def test_edited_exported_sources_parse_or_are_refused(data):
    # Character-level edits of a real exported file: the shapes people and tools produce.
    text = BASE_SOURCE
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        insert = data.draw(st.one_of(st.text(alphabet=string.printable, max_size=10), EXPR))
        text = text[:at] + insert + text[at + cut:]
    with _limit():
        graph = _olm_or_nothing(from_python, text, "edited.py")
        if graph is not None:
            _everything(graph)


@_fuzz(1000)
@given(JSON)
def test_literals_print_as_python_that_reads_back_the_same(value):
    try:
        text = format_literal(value)
    except OLMError:
        return  # a non-finite or absurd number: refused
    assert ast.literal_eval(text) == value or value != value  # noqa: PLR0124 (NaN never equals)
