"""Exported Python never carries a project's text into code (issue 11, item 1).

Each hostile document below either exports to a file that, when run, builds the model and
never runs the payload (a marker file in ``tmp_path`` stays absent), or is refused with
an OLMError. Both the library call and ``olm export --to python`` are exercised.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_factory import TinyModels
from waiting import CHILD_S

from olm.cli.main import main
from olm.core.errors import OLMError
from olm.graph import from_module, from_python, save, to_python
from olm.graph.to_python import format_literal


def _payload(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')"


def _tiny():
    return from_module(TinyModels.model("llama3"), name="tiny")


def _run(source: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "exported.py"
    path.write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=CHILD_S, env=env, cwd=tmp_path
    )


def test_the_issue_name_payload_is_written_as_a_string_and_never_runs(tmp_path):
    marker = tmp_path / "PWNED"
    graph = _tiny()
    graph.name = f'x"""; import os; {_payload(marker)}; """'
    project = save(graph, tmp_path / "evil.olm.json")
    out = tmp_path / "evil.py"
    assert main(["export", str(project), "--to", "python", "-o", str(out)]) == 0
    source = out.read_text()
    result = _run(source, tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert graph.name in result.stdout  # the name is shown, as text
    # The exported file still reads back as the same model.
    assert from_python(source) == graph


@pytest.mark.parametrize(
    "name",
    ["a\nb", "{__import__('os')}", "x' + open('m') + '", "\\", '"""', "é ü ß", "a" * 300, ""],
)
def test_any_model_name_is_only_ever_a_string_literal(tmp_path, name):
    graph = _tiny()
    graph.name = name
    source = to_python(graph)
    tree = ast.parse(source)
    # The first statement is the docstring, a constant: nothing of the name is code.
    assert isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant)
    calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert "__import__" not in calls and "open" not in calls


def test_hostile_expression_is_refused(tmp_path):
    marker = tmp_path / "PWNED"
    graph = _tiny()
    node = next(n for n in graph.nodes.values() if n.type == "RMSNorm")
    node.params["eps"] = {"expr": f"1e-5 if {_payload(marker)} else 1e-5"}
    with pytest.raises(OLMError, match="may only use numbers"):
        to_python(graph)


def test_expression_is_reprinted_from_its_tree_not_pasted(tmp_path):
    graph = _tiny()
    graph.variables["hidden"] = {"expr": "4*embed_dim   #  a comment that is dropped"}
    source = to_python(graph)
    assert "hidden = 4 * embed_dim\n" in source
    assert "comment" not in source


@pytest.mark.parametrize(
    "bad",
    [
        "x = __import__('os').system('true')",
        "x; import os",
        "os.system",
        "embed_dim\nimport os",
        "lambda: 1",
        "[1 for _ in range(9)]",
    ],
)
def test_hostile_variable_formula_is_refused(bad):
    graph = _tiny()
    graph.variables["hidden"] = {"expr": bad}
    with pytest.raises(OLMError):
        to_python(graph)


@pytest.mark.parametrize(
    "name",
    ["x = 1; import os; y", "import", "print", "__builtins__", "model", "Embedding", "a b", "ünï", ""],
)
def test_hostile_variable_names_are_refused(name):
    graph = _tiny()
    graph.variables[name] = 3
    with pytest.raises(OLMError):
        to_python(graph)


@pytest.mark.parametrize("name", ["embed_dim); import os; (x", "open", "1x", "def"])
def test_hostile_var_references_are_refused(name):
    graph = _tiny()
    node = next(n for n in graph.nodes.values() if n.type == "RMSNorm")
    node.params["eps"] = {"var": name}
    with pytest.raises(OLMError):
        to_python(graph)


def test_unknown_parameter_names_are_refused(tmp_path):
    marker = tmp_path / "PWNED"
    graph = _tiny()
    node = next(n for n in graph.nodes.values() if n.type == "RMSNorm")
    node.params[f"eps=1, **{{}}); {_payload(marker)}; RMSNorm(8"] = 1
    with pytest.raises(OLMError, match="has no parameter"):
        to_python(graph)
    repeat = next(n for n in graph.nodes.values() if n.type == "Repeat")
    repeat.params["x); import os; (y"] = 1
    with pytest.raises(OLMError, match="has no parameter"):
        to_python(graph)


def test_unknown_component_types_are_refused():
    graph = _tiny()
    node = next(n for n in graph.nodes.values() if n.type == "RMSNorm")
    node.type = "__import__('os').system"
    with pytest.raises(OLMError, match="not an olm component"):
        to_python(graph)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -float("inf"), 10**100])
def test_numbers_must_be_finite_and_sane(value):
    graph = _tiny()
    node = next(n for n in graph.nodes.values() if n.type == "RMSNorm")
    node.params["eps"] = value
    with pytest.raises(OLMError):
        to_python(graph)


@pytest.mark.parametrize(
    "text", ["plain", "it's", 'say "hi"', "back\\slash", "new\nline", "\x00\x1f", "'''\"\"\"", "é\u2028"]
)
def test_text_values_are_printed_through_repr(text):
    assert ast.literal_eval(format_literal(text)) == text
    assert ast.literal_eval(format_literal({"k": [text]})) == {"k": [text]}


def test_a_hostile_string_parameter_is_refused_before_anything_is_written(tmp_path):
    marker = tmp_path / "PWNED"
    graph = _tiny()
    head = next(n for n in graph.nodes.values() if n.type == "SwiGLUFFN")
    # A text value where a number belongs: olm info flags it, so export refuses it.
    head.params["hidden_dim"] = f"'); {_payload(marker)}; ('"
    with pytest.raises(OLMError, match="does not validate.*hidden_dim must be a number"):
        to_python(graph)
    assert not marker.exists()


# -- export only what validates (issue 25.6) --------------------------------------------
def _flagged_by_info(graph, tmp_path, capsys) -> str:
    """The first error ``olm info`` reports for ``graph`` (saved as a project)."""
    project = save(graph, tmp_path / "m.olm.json")
    assert main(["info", str(project)]) == 1
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("error:")]
    assert lines
    return lines[0].split("error:", 1)[1].strip()


HOSTILE_VALUES = {
    "print": {"expr": "print"},
    "builtins": {"expr": "__builtins__"},
    "dunder_name": {"expr": "__name__"},
    "model": {"expr": "model"},
    "underscore": {"expr": "_"},
    "nfkc_letter": {"expr": "4 * \u210c"},  # 'ℌ', which Python reads as 'H'
    "nfkc_alone": {"expr": "\u210c"},
}


@pytest.mark.parametrize("name", sorted(HOSTILE_VALUES))
def test_what_info_flags_export_refuses_in_one_line(tmp_path, capsys, name):
    graph = _tiny()
    graph.variables["H"] = 64  # so 'ℌ' would even resolve, read as 'H'
    node = next(n for n in graph.nodes.values() if n.type == "SwiGLUFFN")
    node.params["hidden_dim"] = HOSTILE_VALUES[name]
    flagged = _flagged_by_info(graph, tmp_path, capsys)
    out = tmp_path / "m.py"
    assert main(["export", str(tmp_path / "m.olm.json"), "--to", "python", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flagged in err, err
    assert not out.exists()


def test_an_unregistered_activation_is_not_exported(tmp_path, capsys):
    graph = from_module(TinyModels.model("gpt2"), name="tiny")
    ffn = next(n for n in graph.nodes.values() if n.type == "ClassicFFN")
    ffn.params["activation_fn"] = "gelu_10"
    flagged = _flagged_by_info(graph, tmp_path, capsys)
    with pytest.raises(OLMError) as err:
        to_python(graph)
    assert flagged in str(err.value) and "'gelu_10'" in str(err.value)
