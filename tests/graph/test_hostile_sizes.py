"""Tiny files asking for huge models are refused before anything is built (issue 11, item 2).

Every case runs under a timeout: a hang or an allocation that grows is a failure, not a
slow pass. The limits themselves live in ``olm.core.limits``.
"""

from __future__ import annotations

import json

import pytest
import torch
from tiny_factory import TinyModels

from olm.cli.info import human_bytes, human_count, human_flops
from olm.cli.main import main
from olm.core.errors import ConfigError, FileFormatError, OLMError
from olm.core.limits import MAX_EXPR_CHARS, RANGES
from olm.graph import from_module, from_python, load, save, stats, validate
from olm.graph.values import ExprError, evaluate
from olm.models import Llama3Model, MixtralModel
from olm.nn.structure import Block, Repeat

pytestmark = pytest.mark.timeout(60)

LLAMA = "from olm.models import Llama3Model\nmodel = Llama3Model({args})\n"
BASE = dict(vocab_size=32, embed_dim=16, intermediate_size=32, num_layers=1, num_heads=2,
            num_kv_heads=1, max_seq_len=16)


def _llama_source(**changes) -> str:
    args = {**BASE, **changes}
    return LLAMA.format(args=", ".join(f"{k}={v}" for k, v in args.items()))


@pytest.mark.parametrize(
    "name, value",
    [("num_layers", "10**12"), ("embed_dim", "10**12"), ("vocab_size", "10**12"),
     ("intermediate_size", "2**40"), ("max_seq_len", "2**40")],
)
def test_py_source_with_absurd_family_sizes_is_refused_quickly(tmp_path, capsys, name, value):
    path = tmp_path / "m.py"
    path.write_text(_llama_source(**{name: value}))
    with pytest.raises(FileFormatError, match=f"{name} = .* is too large"):
        from_python(path.read_text(), filename=str(path))
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err and "Traceback" not in err


@pytest.mark.parametrize(
    "make",
    [
        lambda: Llama3Model(**{**BASE, "embed_dim": 10**12}),
        lambda: Llama3Model(**{**BASE, "num_layers": 10**12}),
        lambda: MixtralModel(32, 16, 32, 1, 2, 1, 16, num_experts=2**31, top_k=2),
        lambda: Repeat(lambda: Block([]), 10**12),
    ],
)
def test_family_classes_and_components_check_before_allocating(make):
    # On a real device too: the check comes before any tensor exists.
    with pytest.raises(ConfigError, match="is too large"):
        make()


def test_a_project_asking_for_2_31_experts_is_reported_not_built(tmp_path, capsys):
    graph = from_module(TinyModels.model("mixtral"))
    graph.variables["num_experts"] = 2**31
    path = save(graph, tmp_path / "m.olm.json")
    assert main(["info", str(path)]) == 1
    out = capsys.readouterr().out
    assert "num_experts = 2,147,483,648 is out of range" in out


def test_stats_never_multiply_by_an_absurd_repeat(tmp_path):
    graph = from_module(TinyModels.model("llama3"))
    graph.variables["num_layers"] = 10**12
    figures = stats(graph)
    assert not figures.complete
    assert isinstance(figures.total_params, int) and figures.total_params < 10**9
    assert any("num_layers" in d.message or "num_repeat" in d.message for d in validate(graph))


def test_stats_refuse_an_absurd_seq_len():
    graph = from_module(TinyModels.model("llama3"))
    with pytest.raises(ConfigError, match="seq_len"):
        stats(graph, seq_len=10**18)


def test_stats_of_a_preset_stay_exact_integers():
    graph = from_module(TinyModels.model("mixtral"))
    figures = stats(graph)
    for value in figures.to_dict().values():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert isinstance(value, int) or value == figures.to_dict().get("share")


def test_expression_limits_give_clear_errors_not_recursion():
    env = {"x": 1}
    with pytest.raises(ExprError, match="characters long"):
        evaluate(" + ".join(["x"] * 5000), env)
    with pytest.raises(ExprError, match="characters long"):
        evaluate("-" * 50_000 + "1", env)
    deep = "-" * (MAX_EXPR_CHARS - 1) + "1"
    with pytest.raises(ExprError, match="nests deeper|nested too deeply|terms"):
        evaluate(deep, env)
    with pytest.raises(ExprError, match="terms and operators"):
        evaluate("max(" + ",".join(["x"] * 400) + ")", env)


@pytest.mark.parametrize(
    "text",
    ["((999999**64)**64)**64", "x * 10**15 * 10**15 * 10**15", "round(5, -10**9)",
     "s * 10**14", "1e999", "float(10**300) * 10**300", "int(1e308) ** 2"],
)
def test_expressions_cannot_blow_up(text):
    with pytest.raises(ExprError):
        evaluate(text, {"x": 10**15, "s": "abc"})


def test_py_sources_with_huge_expressions_are_refused(tmp_path, capsys):
    head = "from olm.nn.structure import Block\nfrom olm.nn.norms import RMSNorm\nx = 1\n"
    cases = {
        "terms": head + "y = " + " + ".join(["x"] * 5000) + "\nmodel = Block([RMSNorm(y)])\n",
        "minus": head + "y = " + "-" * 50_000 + "1\nmodel = Block([RMSNorm(y)])\n",
        "inf": head + "model = Block([RMSNorm(8, eps=1e999)])\n",
        "bigint": head + "model = Block([RMSNorm(8 ** 10**6)])\n",
    }
    for name, source in cases.items():
        path = tmp_path / f"{name}.py"
        path.write_text(source)
        assert main(["info", str(path)]) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err


def _project(tmp_path, mutate) -> str:
    graph = from_module(TinyModels.model("llama3"))
    path = save(graph, tmp_path / "m.olm.json")
    data = json.loads(path.read_text())
    mutate(data["graph"])
    text = json.dumps(data)
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda g: g["variables"].update(embed_dim=float("inf")), "Infinity"),
        (lambda g: g["variables"].update(embed_dim="1e999"), None),
        (lambda g: g["variables"].update(big={"expr": "-" * 50_000 + "1"}), "characters"),
        (lambda g: g.update(name="n" * 100_000), "characters"),
        (lambda g: g["variables"].update({"v" * 300: 1}), "not a valid variable name"),
    ],
)
def test_project_values_are_checked_on_load(tmp_path, mutate, reason):
    path = _project(tmp_path, mutate)
    if reason is None:  # "1e999" as text: refused later, by range, never as a number
        graph = load(path)
        assert any("embed_dim" in d.message for d in validate(graph))
        return
    with pytest.raises(FileFormatError, match=reason):
        load(path)


def test_1e999_in_a_project_file_is_refused(tmp_path):
    path = _project(tmp_path, lambda g: g["variables"].update(embed_dim=1))
    text = open(path).read().replace('"embed_dim": 1', '"embed_dim": 1e999', 1)
    open(path, "w").write(text)
    with pytest.raises(FileFormatError, match="not a finite number"):
        load(path)


def test_deeply_nested_documents_are_refused_on_load(tmp_path):
    graph = from_module(TinyModels.model("llama3"))
    path = save(graph, tmp_path / "m.olm.json")
    data = json.loads(path.read_text())
    nodes = data["graph"]["nodes"]
    parent = data["graph"]["root"]
    for i in range(5000):
        nodes[f"n{i}"] = {"type": "Block", "params": {}, "children": [], "wires": []}
        nodes[parent]["children"].append(f"n{i}")
        parent = f"n{i}"
    path.write_text(json.dumps(data))
    with pytest.raises(FileFormatError, match="nested more than"):
        load(path)


@pytest.mark.parametrize("fn", [human_count, human_flops, human_bytes])
def test_human_numbers_never_overflow(fn):
    for n in (0, 7, 10**3, 8_030_261_248, 10**306, 10**400, -(10**400)):
        text = fn(n)
        assert text and "\n" not in text


def test_human_count_keeps_its_format():
    assert human_count(8_030_261_248) == "8.03 B"
    assert human_flops(1.57e10) == "15.7 GFLOP"
    assert human_bytes(33_554_432) == "32 MiB"
    assert human_count(10**306).endswith(" T")


def test_every_range_bound_builds_on_meta():
    # The upper bounds of the family classes' sizes are themselves buildable on meta.
    high = RANGES["num_layers"][1]
    with torch.device("meta"):
        Repeat(lambda: Block([]), high)
    with pytest.raises(ConfigError):
        Repeat(lambda: Block([]), high + 1)


def test_meta_width_limit_cannot_overflow_a_storage_size():
    width = RANGES["embed_dim"][1]
    with torch.device("meta"):
        model = Llama3Model(**{**BASE, "embed_dim": width, "num_heads": 16, "num_kv_heads": 1,
                               "intermediate_size": RANGES["intermediate_size"][1]})
    assert sum(p.numel() for p in model.parameters()) > width**2


def test_olm_error_subclasses_only():
    # A refused size is a ConfigError (an OLMError and a ValueError), as components raise.
    with pytest.raises(OLMError):
        Llama3Model(**{**BASE, "embed_dim": 10**12})


@pytest.mark.parametrize(
    "kwargs, rule",
    [({"ff_multiplier": 1e12}, "too large"), ({"ff_multiplier": float("nan")}, "finite"),
     ({"embed_dim": float("inf")}, "finite"), ({"hidden_dim": 2**40}, "too large")],
)
def test_float_sizes_are_checked_before_allocating(kwargs, rule):
    from olm.nn.feedforward import SwiGLUFFN

    # Not on meta: without the check this would try to allocate terabytes.
    with pytest.raises(ConfigError, match=rule):
        SwiGLUFFN(**{"embed_dim": 16, **kwargs})


def test_repeats_times_experts_are_counted_before_building(tmp_path, capsys):
    from olm.graph import build
    from olm.graph.budget import instance_counts

    graph = from_module(TinyModels.model("mixtral"))
    graph.variables["num_layers"] = 1024
    graph.variables["num_experts"] = 4096  # each within its range; the product is not
    leaves, experts = instance_counts(graph)
    assert experts == 1024 * 4096  # one MoE per layer
    assert any("4,194,304 experts" in d.message for d in validate(graph))
    with pytest.raises(ConfigError, match="experts"):
        build(graph, device="meta", check=False)
    path = save(graph, tmp_path / "moe.olm.json")
    assert main(["info", str(path), "--summary"]) == 1
    assert "4,194,304 experts" in capsys.readouterr().out


def test_nested_repeats_multiply_into_the_budget():
    from olm.graph import build

    source = (
        "from olm.nn.structure import Block\nfrom olm.nn.structure.combinators import Repeat\n"
        "from olm.nn.norms import RMSNorm\n"
        "model = Block([Repeat(lambda: Block([Repeat(lambda: Block([RMSNorm(8)]), 1024)]), 1024)])\n"
    )
    graph = from_python(source)
    assert any("1,048,576 components" in d.message for d in validate(graph))
    with pytest.raises(ConfigError, match="components"):
        build(graph, device="meta", check=False)


def test_model_classes_bound_layers_times_experts():
    with pytest.raises(ConfigError, match="num_layers x num_experts"):
        MixtralModel(32, 16, 32, 1024, 2, 1, 16, num_experts=4096, top_k=2)


def test_found_by_fuzzing_a_module_tag_that_is_not_text(tmp_path):
    path = _project(tmp_path, lambda g: next(
        n for n in g["nodes"].values() if n["type"] == "RMSNorm")["params"].update(d_model={"module": {}}))
    with pytest.raises(FileFormatError, match="module: expected text"):
        load(path)


def test_overlong_node_ids_are_refused(tmp_path):
    def mutate(g):
        old = g["root"]
        new = "r" * 1000
        g["nodes"][new] = g["nodes"].pop(old)
        g["root"] = new

    with pytest.raises(FileFormatError, match="node id of 1,000 characters"):
        load(_project(tmp_path, mutate))


def test_a_variable_cannot_shadow_a_builtin():
    from olm.graph.commands import SetVariable

    graph = from_module(TinyModels.model("llama3"))
    for name in ("print", "open", "__class__"):
        with pytest.raises(OLMError, match="built-in"):
            SetVariable(name, 3).do(graph)


@pytest.mark.slow
def test_a_file_of_many_reference_models_is_refused_quickly():
    source = "from olm.models import GPT2\n" + "".join(
        f"m{i} = GPT2()\n" for i in range(10_000)
    ) + "model = m0\n"
    with pytest.raises(FileFormatError, match="at most 16 reference models"):
        from_python(source)


@pytest.mark.slow
def test_a_file_with_too_many_parts_is_refused():
    items = ", ".join(f"RMSNorm({i + 1})" for i in range(25_000))
    source = f"from olm.nn.structure import Block\nfrom olm.nn.norms import RMSNorm\nmodel = Block([{items}])\n"
    with pytest.raises(FileFormatError, match="more than 20,000 parts"):
        from_python(source)
