"""``to_python``: print a document as Python in the reference page's own style.

Hyperparameters become named variables at the top; the model reads as nested
``Block([...])``, ``Residual(Block([...]))`` and ``Repeat(lambda: Block([...]), num_layers)``
(a stack whose layers differ: ``Repeat([lambda: ..., lambda: ...], n, pattern=[0] * 5 + [1])``);
a component another one refers to (a tied embedding) is bound to a name first
(``embedding = Embedding(...)`` ... ``tied_embedding=embedding``). Only the imports used
are written, sorted as ``ruff``'s isort wants, lines stay within 88 columns, and running the
file builds the model and prints its parameter count.

Nothing from the document is pasted into the code as it is: a project file is data from
anywhere, and the exported file is meant to be run. Identifiers (variable names, keyword
arguments) must be Python identifiers that are not keywords or built-ins, numbers must be
finite, text goes through ``repr``, expressions are parsed, checked against the
arithmetic whitelist of :mod:`olm.graph.values` and printed again from their syntax tree,
component types must be in the catalog, and the model name is written only as a string
literal. Anything else is refused with an :class:`~olm.core.errors.OLMError`.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from typing import Any

from olm.core.errors import OLMError
from olm.core.limits import MAX_NAME_CHARS
from olm.graph.catalog import catalog
from olm.graph.document import Graph
from olm.graph.repeat import PATTERN, compress_pattern
from olm.graph.values import ExprError, expr_names, normalize_expr, tag_of

__all__ = ["to_python", "format_literal", "identifier", "expression"]

_WIDTH = 88
_STRUCTURE_MODULES = {
    "Block": "olm.nn.structure",
    "Pipeline": "olm.nn.structure",
    "Residual": "olm.nn.structure.combinators",
    "Repeat": "olm.nn.structure.combinators",
    "Parallel": "olm.nn.structure.combinators",
}


def format_literal(value: Any) -> str:
    """Python source for a JSON-able literal (big integers with ``_`` separators)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if abs(value) > 2**64:
            raise OLMError(f"cannot print an integer of {value.bit_length()} bits as a hyperparameter")
        return f"{value:_}" if abs(value) >= 100_000 else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise OLMError(f"cannot print the number {value!r} as Python: it is not finite")
        return repr(value)
    if isinstance(value, str):
        return '"' + repr(value)[1:-1].replace('"', '\\"') + '"' if "'" not in value else repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{format_literal(k)}: {format_literal(v)}" for k, v in value.items()) + "}"
    raise OLMError(f"cannot print a {type(value).__name__} value as Python")


def _import_key(name: str) -> tuple[int, str]:
    # ruff's isort (order-by-type): CONSTANTS, then Classes, then functions.
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def _imports(used: set[str]) -> list[str]:
    by_module: dict[str, set[str]] = {}
    for name in used:
        module = _STRUCTURE_MODULES.get(name) or catalog().get(name).module
        by_module.setdefault(module, set()).add(name)
    lines = []
    for module in sorted(by_module):
        names = sorted(by_module[module], key=_import_key)
        line = f"from {module} import {', '.join(names)}"
        if len(line) <= _WIDTH:
            lines.append(line)
        else:
            lines.append(f"from {module} import (")
            lines.extend(f"    {n}," for n in names)
            lines.append(")")
    return lines


class _Printer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.used: set[str] = set()
        self.names: dict[str, str] = {}
        self.reserved = {"model"} | set(catalog().components) | set(_STRUCTURE_MODULES) | _RESERVED
        taken = set(graph.variables) | self.reserved
        for node_id in graph.walk():
            for value in graph.nodes[node_id].params.values():
                if tag_of(value) == "ref" and value["ref"] not in self.names:
                    target = value["ref"]
                    if target not in graph.nodes:
                        raise OLMError(f"{graph.nodes[node_id].type} refers to a missing part")
                    base = identifier(_snake(str(graph.nodes[target].type)), "component")
                    name, n = base, 2
                    while name in taken or keyword.iskeyword(name):
                        name, n = f"{base}_{n}", n + 1
                    taken.add(name)
                    self.names[target] = name

    def value(self, value: Any, indent: int) -> str:
        tag = tag_of(value)
        if tag == "var":
            return identifier(value["var"], "variable")
        if tag == "expr":
            text = expression(value["expr"])
            unknown = sorted(expr_names(text) - set(self.graph.variables))
            if unknown:  # print, __builtins__, model, _: names the exported file would run
                raise OLMError(f"expression {text!r:.60} uses {unknown[0][:60]!r}, which is not "
                               "a model variable")
            return text
        if tag == "literal":
            return format_literal(value["literal"])
        if tag == "ref":
            if value["ref"] not in self.names:
                raise OLMError("a component refers to a part the document does not have")
            return self.names[value["ref"]]
        if tag == "module":
            return self.node(value["module"], indent)
        if isinstance(value, list):
            items = [self.value(v, indent + 4) for v in value]
            return self.wrap("[", items, "]", indent)
        if isinstance(value, dict):
            items = [f"{format_literal(k)}: {self.value(v, indent + 4)}" for k, v in value.items()]
            return self.wrap("{", items, "}", indent)
        return format_literal(value)

    def wrap(self, left: str, items: list[str], right: str, indent: int) -> str:
        """``[a, b]`` on one line when it is short, else one item per line."""
        line = left + ", ".join(items) + right
        if indent + len(line) <= _WIDTH - 24 and "\n" not in line:
            return line
        pad = " " * (indent + 4)
        return left + "\n" + "".join(f"{pad}{i},\n" for i in items) + " " * indent + right

    def node(self, node_id: str, indent: int, bound_ok: bool = False) -> str:
        if node_id in self.names and not bound_ok:
            return self.names[node_id]
        node = self.graph.node(node_id)
        self.used.add(node.type)
        if node.is_container:
            return self.container(node_id, indent)
        return self.call(node.type, self.args(node_id, indent), indent)

    def args(self, node_id: str, indent: int) -> list[str]:
        node = self.graph.nodes[node_id]
        spec = catalog().get(node.type)
        out = []
        positional = True
        for param in spec.params:
            if param.name not in node.params:
                positional = False
                continue
            text = self.value(node.params[param.name], indent + 4)
            if positional and param.required and param.positional:
                out.append(text)
            else:
                positional = False
                out.append(f"{param.name}={text}")
        known = {p.name for p in spec.params}
        for k, v in node.params.items():
            if k in known:
                continue
            if not spec.var_keyword:
                raise OLMError(f"{node.type} has no parameter {str(k)[:60]!r}")
            out.append(f"{identifier(k, 'parameter')}={self.value(v, indent + 4)}")
        return out

    def call(self, name: str, args: list[str], indent: int) -> str:
        line = f"{name}({', '.join(args)})"
        if indent + len(line) <= _WIDTH and "\n" not in line:
            return line
        pad = " " * (indent + 4)
        return f"{name}(\n" + "".join(f"{pad}{a},\n" for a in args) + " " * indent + ")"

    def items(self, ids: list[str], indent: int) -> str:
        if not ids:
            return "[]"
        pad = " " * (indent + 4)
        body = "".join(f"{pad}{self.node(c, indent + 4)},\n" for c in ids)
        return "[\n" + body + " " * indent + "]"

    def container(self, node_id: str, indent: int) -> str:
        node = self.graph.nodes[node_id]
        order = self.graph.order(node_id)
        if node.type in ("Block", "Pipeline"):
            return f"{node.type}({self.items(order, indent)})"
        if node.type == "Parallel":
            unknown = sorted(set(node.params) - _PARALLEL_PARAMS)
            if unknown:
                raise OLMError(f"Parallel has no parameter {str(unknown[0])[:60]!r}")
            extra = "".join(f", {k}={self.value(v, indent)}" for k, v in node.params.items())
            return f"Parallel({self.items(order, indent)}{extra})"
        if node.type not in ("Residual", "Repeat"):
            raise OLMError(f"{str(node.type)[:60]!r} is not a container olm knows")
        known = {"num_repeat", PATTERN} if node.type == "Repeat" else set()
        unknown = sorted(set(node.params) - known)
        if unknown:
            raise OLMError(f"{node.type} has no parameter {str(unknown[0])[:60]!r}")
        if node.type == "Repeat" and (len(order) > 1 or PATTERN in node.params):
            return self.repeat_variants(node_id, indent)
        if len(order) != 1:
            raise OLMError(f"a {node.type} must hold exactly one part to be printed")
        inner = self.node(order[0], indent)
        if node.type == "Residual":
            return f"Residual({inner})"
        count = self.value(node.params.get("num_repeat", 1), indent)
        return f"Repeat(lambda: {inner}, {count})"

    def repeat_variants(self, node_id: str, indent: int) -> str:
        """``Repeat([lambda: a, lambda: b], n, pattern=[0] * 5 + [1])``, one item a line."""
        node = self.graph.nodes[node_id]
        if not node.children:
            raise OLMError("a Repeat must hold at least one part to be printed")
        pad, inner_pad = " " * (indent + 4), " " * (indent + 8)
        if len(node.children) == 1:
            funcs = f"lambda: {self.node(node.children[0], indent + 4)}"
        else:
            lambdas = "".join(
                f"{inner_pad}lambda: {self.node(c, indent + 8)},\n" for c in node.children
            )
            funcs = f"[\n{lambdas}{pad}]"
        args = [funcs, self.value(node.params.get("num_repeat", 1), indent + 4)]
        if PATTERN in node.params:
            pattern = node.params[PATTERN]
            text = _pattern(pattern) if isinstance(pattern, list) else self.value(pattern, indent + 4)
            args.append(f"pattern={text}")
        return "Repeat(\n" + "".join(f"{pad}{a},\n" for a in args) + " " * indent + ")"


def _pattern(pattern: list) -> str:
    """A layer pattern as the shorter of a list and runs: ``[0] * 5 + [1]``."""
    plain = format_literal(pattern)
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in pattern):
        return plain
    runs = " + ".join(
        f"[{p}] * {n}" if n > 1 else f"[{p}]" for p, n in compress_pattern(pattern)
    )
    return runs if len(runs) < len(plain) else plain


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def to_python(graph: Graph) -> str:
    """The document as a standalone Python file (see the module docstring for the style).

    Only a document that validates is exported: the rules are ``olm info``'s
    (:func:`olm.graph.validate`), so a value it flags (an expression naming ``print``, an
    activation no registry knows, text where a size belongs) is never written as code. How
    the parts fit together as a whole model is not checked here (``_FIT_CODES``): a fragment
    prints as the code that builds it.

    Raises:
        OLMError: the document has a validation error (the first is named), or cannot be
            printed (a container with the wrong number of parts, a reference to a missing
            part, a value Python cannot spell).
    """
    _refuse_invalid(graph)
    try:
        return _print_graph(graph)
    except RecursionError:
        raise OLMError("the model is nested too deeply to print") from None


# How the parts fit together as a language model (raw ids into a norm, no head, widths that
# disagree): the printed file builds exactly what the document says, so a fragment such as a
# single RMSNorm still exports; olm info and the Studio flag these. Every other error (a name,
# an expression, an unknown component, a value out of range) is refused.
_FIT_CODES = frozenset({"width", "no-embedding", "no-head", "vocab", "seq-len"})


def _refuse_invalid(graph: Graph) -> None:
    from olm.graph.validate import validate

    try:
        errors = [d for d in validate(graph)
                  if d.severity == "error" and d.code not in _FIT_CODES]
    except RecursionError:
        raise OLMError("the model is nested too deeply to print") from None
    if errors:
        more = f" (and {len(errors) - 1} more; olm info lists them)" if len(errors) > 1 else ""
        raise OLMError(f"the model does not validate, so it is not exported: "
                       f"{errors[0].message}{more}")


def _print_graph(graph: Graph) -> str:
    printer = _Printer(graph)
    for name in graph.variables:
        identifier(name, "variable")
        if name in printer.reserved:
            raise OLMError(f"variable name {name!r} would hide a name the exported file uses")
    named = [
        f"{name} = {printer.node(node_id, 0, bound_ok=True)}"
        for node_id, name in printer.names.items()
    ]
    model = f"model = {printer.node(graph.root, 0)}"
    variables = [f"{k} = {_variable(v)}" for k, v in graph.variables.items()]
    title = graph.name or "model"
    if not isinstance(title, str):
        raise OLMError("the model name must be text")
    plain = _PLAIN_NAME.fullmatch(title) is not None and len(title) <= MAX_NAME_CHARS
    if plain:
        docstring = f'"""{title}: an olm model, exported by olm.graph."""'
        report = f'    print(f"{title}: {{num_params:,}} parameters")'
    else:
        # Any other name is written only as a string literal, never as code.
        docstring = format_literal(f"{title}: an olm model, exported by olm.graph.")
        report = f'    print({format_literal(title + ":")}, f"{{num_params:,}} parameters")'
    parts = [docstring, "\n".join(_imports(printer.used))]
    if variables:
        parts.append("\n".join(variables))
    body = "\n".join(named + [model])
    parts.append(body)
    parts.append(
        'if __name__ == "__main__":\n'
        "    num_params = sum(p.numel() for p in model.parameters())\n"
        + report
    )
    return "\n\n".join(p for p in parts if p) + "\n"


# A model name printed inside the docstring and the f-string as it is: word characters,
# spaces, dots and dashes only (no quotes, braces, backslashes or line breaks).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\- ]*")
_PARALLEL_PARAMS = {"merge", "dim"}
_RESERVED = {"model"}


def identifier(name: Any, what: str) -> str:
    """``name`` if it is safe to print as a Python identifier, else an :class:`OLMError`.

    Safe means: text, a valid identifier, not a keyword (``lambda``, ``match``), not a
    built-in (``print``, ``open``), no leading double underscore, at most
    :data:`~olm.core.limits.MAX_NAME_CHARS` characters.
    """
    shown = repr(name)[:60]
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise OLMError(f"{what} name {shown} is not a Python identifier")
    if len(name) > MAX_NAME_CHARS:
        raise OLMError(f"{what} name {shown}... is longer than {MAX_NAME_CHARS} characters")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise OLMError(f"{what} name {shown} is a Python keyword")
    if name.startswith("__") or hasattr(builtins, name):
        raise OLMError(f"{what} name {shown} would hide a Python built-in")
    return name


def expression(text: Any) -> str:
    """An expression re-printed from its checked syntax tree (never the stored text)."""
    if not isinstance(text, str):
        raise OLMError(f"expression {text!r:.60} is not text")
    try:
        return normalize_expr(text)
    except ExprError as err:
        raise OLMError(str(err)) from None


def _variable(value: Any) -> str:
    tag = tag_of(value)
    if tag == "expr":
        return expression(value["expr"])
    if tag == "var":
        return identifier(value["var"], "variable")
    if tag == "literal":
        return format_literal(value["literal"])
    if tag is not None:
        raise OLMError(f"a model variable cannot hold a {tag!r} value")
    return format_literal(value)
