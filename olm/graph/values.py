"""Parameter values in the document: literals, variable references and expressions.

A node parameter is stored as plain JSON. Most values are literals (``64``, ``True``,
``"gelu"``). Four one-key dicts are tags the rest of the package understands:

- ``{"var": "embed_dim"}``: the model variable of that name;
- ``{"expr": "4 * embed_dim"}``: arithmetic over variables (evaluated here, never by ``eval``);
- ``{"ref": "<node id>"}``: another node of the document (``OutputHead(tied_embedding=...)``);
- ``{"module": "<node id>"}``: a component owned by this node (``OutputHead(norm=...)``);
- ``{"literal": {...}}``: escapes a dict literal that would otherwise look like a tag.
"""

from __future__ import annotations

import ast
import math
import operator
from typing import Any, Mapping

from olm.core.errors import ConfigError

__all__ = [
    "TAGS",
    "ExprError",
    "evaluate",
    "expr_names",
    "is_tag",
    "normalize_expr",
    "resolve",
    "tag_of",
    "value_names",
]

TAGS = ("var", "expr", "ref", "module", "literal")

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUNCS = {"int": int, "float": float, "round": round, "min": min, "max": max, "abs": abs}
# Beyond this a number is not a hyperparameter but an attack or a typo.
_MAX_MAGNITUDE = 10**15
_MAX_EXPONENT = 64


class ExprError(ConfigError):
    """An expression cannot be evaluated: unknown name, bad syntax, or absurd size."""


def is_tag(value: Any) -> bool:
    """True when ``value`` is one of the one-key tag dicts (see the module docstring)."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TAGS


def tag_of(value: Any) -> str | None:
    """The tag name of ``value`` (``"var"``, ``"expr"``, ...) or ``None`` for a literal."""
    return next(iter(value)) if is_tag(value) else None


def _parse(text: str) -> ast.expr:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ExprError(f"expression {text!r} is not valid Python arithmetic ({err.msg})") from None
    return tree.body


def _check_expr(node: ast.AST, text: str) -> None:
    for sub in ast.walk(node):
        ok = isinstance(
            sub,
            (ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load, ast.Call)
            + tuple(_BINOPS)
            + tuple(_UNARY),
        )
        if isinstance(sub, ast.Constant) and (
            isinstance(sub.value, bool) or not isinstance(sub.value, (int, float))
        ):
            ok = False
        if isinstance(sub, ast.Call) and not (
            isinstance(sub.func, ast.Name) and sub.func.id in _FUNCS and not sub.keywords
        ):
            ok = False
        if not ok:
            raise ExprError(
                f"expression {text!r} may only use numbers, variables, + - * / // % ** "
                f"and {', '.join(sorted(_FUNCS))}()"
            )


def normalize_expr(text: str) -> str:
    """Check ``text`` is plain arithmetic and return it in canonical spelling."""
    node = _parse(text)
    _check_expr(node, text)
    return ast.unparse(node)


def expr_names(text: str) -> set[str]:
    """The variable names an expression reads (function names excluded)."""
    node = _parse(text)
    funcs = {id(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in funcs}


def _eval(node: ast.expr, env: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ExprError(f"expression {text!r} uses {node.id!r}, which is not a model variable")
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, env, text))
    if isinstance(node, ast.Call):
        args = [_eval(a, env, text) for a in node.args]
        return _FUNCS[node.func.id](*args)
    left = _eval(node.left, env, text)
    right = _eval(node.right, env, text)
    if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
        raise ExprError(f"expression {text!r}: exponent {right} is too large")
    try:
        result = _BINOPS[type(node.op)](left, right)
    except ZeroDivisionError:
        raise ExprError(f"expression {text!r} divides by zero") from None
    if isinstance(result, complex):
        raise ExprError(f"expression {text!r} is not a real number")
    return result


def evaluate(text: str, env: Mapping[str, Any]) -> int | float:
    """Evaluate arithmetic ``text`` over the variables in ``env`` (no ``eval``).

    Raises:
        ExprError: bad syntax, a name that is not a variable, or a result beyond 1e15.
    """
    node = _parse(text)
    _check_expr(node, text)
    try:
        result = _eval(node, env, text)
    except (TypeError, ValueError, OverflowError) as err:
        raise ExprError(f"expression {text!r} cannot be evaluated: {err}") from None
    if isinstance(result, float) and not math.isfinite(result):
        raise ExprError(f"expression {text!r} is not a finite number")
    if isinstance(result, (int, float)) and abs(result) > _MAX_MAGNITUDE:
        raise ExprError(f"expression {text!r} gives {result:.3g}, which is far too large")
    return result


def value_names(value: Any) -> set[str]:
    """Variable names a parameter value depends on."""
    tag = tag_of(value)
    if tag == "var":
        return {value["var"]}
    if tag == "expr":
        return expr_names(value["expr"])
    return set()


def resolve(value: Any, env: Mapping[str, Any]) -> Any:
    """The plain value of a literal, ``var`` or ``expr`` parameter.

    ``ref`` and ``module`` tags are left as they are: only the builder can turn them
    into modules.
    """
    tag = tag_of(value)
    if tag == "var":
        name = value["var"]
        if name not in env:
            raise ExprError(f"{name!r} is not a model variable")
        return env[name]
    if tag == "expr":
        return evaluate(value["expr"], env)
    if tag == "literal":
        return value["literal"]
    return value
