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
from olm.core.limits import (
    MAX_EXPONENT,
    MAX_EXPR_CHARS,
    MAX_EXPR_DEPTH,
    MAX_EXPR_NODES,
    MAX_MAGNITUDE,
)

__all__ = [
    "TAGS",
    "ExprError",
    "check_size",
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
# Beyond this a number is not a hyperparameter but an attack or a typo (see olm.core.limits).
_MAX_MAGNITUDE = MAX_MAGNITUDE
_MAX_EXPONENT = MAX_EXPONENT
# Intermediate results may exceed the final bound a little (``2**40 // 2**30``), never more.
_MAX_INTERMEDIATE = 10**30


class ExprError(ConfigError):
    """An expression cannot be evaluated: unknown name, bad syntax, or absurd size."""


def is_tag(value: Any) -> bool:
    """True when ``value`` is one of the one-key tag dicts (see the module docstring)."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TAGS


def tag_of(value: Any) -> str | None:
    """The tag name of ``value`` (``"var"``, ``"expr"``, ...) or ``None`` for a literal."""
    return next(iter(value)) if is_tag(value) else None


def _shown(text: Any) -> str:
    """The expression as quoted in messages (cut short: it may be very long)."""
    shown = repr(text)
    return shown if len(shown) <= 80 else shown[:60] + "..." + shown[-8:]


def _parse(text: str) -> ast.expr:
    """The checked syntax tree of ``text``: length, syntax, size and depth within limits."""
    if not isinstance(text, str):
        raise ExprError(f"expression {_shown(text)} is not text")
    if len(text) > MAX_EXPR_CHARS:
        raise ExprError(
            f"expression {_shown(text)} is {len(text):,} characters long; "
            f"at most {MAX_EXPR_CHARS:,} are allowed"
        )
    if not text.isascii():  # Python reads 'ℌ' as 'H' (NFKC): what is shown is not what runs
        odd = next(c for c in text if not c.isascii())
        raise ExprError(f"expression {_shown(text)} has the character {odd!r}; expressions "
                        "are written in plain ASCII")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ExprError(f"expression {_shown(text)} is not valid Python arithmetic ({err.msg})") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprError(f"expression {_shown(text)} is nested too deeply to read") from None
    check_size(tree.body, text)
    return tree.body


def check_size(node: ast.AST, text: str = "") -> None:
    """Refuse an expression tree with too many nodes or too deep a nesting.

    Walks iteratively, so a hostile tree cannot exhaust the stack here; the recursive
    evaluator and printer only ever see trees that passed.

    Raises:
        ExprError: more than :data:`~olm.core.limits.MAX_EXPR_NODES` nodes or deeper
            than :data:`~olm.core.limits.MAX_EXPR_DEPTH`.
    """
    stack = [(node, 1)]
    count = 0
    while stack:
        current, depth = stack.pop()
        count += 1
        if count > MAX_EXPR_NODES:
            raise ExprError(
                f"expression {_shown(text)} has more than {MAX_EXPR_NODES:,} terms and operators"
            )
        if depth > MAX_EXPR_DEPTH:
            raise ExprError(
                f"expression {_shown(text)} nests deeper than {MAX_EXPR_DEPTH} levels"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(current))


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


def _number(value: Any, text: str) -> int | float:
    """``value`` if arithmetic may use it: a number of sane size (no text, no lists)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExprError(f"expression {_shown(text)} does arithmetic on {type(value).__name__} {value!r:.40}, not a number")
    if abs(value) > _MAX_INTERMEDIATE:
        raise ExprError(f"expression {_shown(text)} works with numbers far too large")
    return value


def _eval(node: ast.expr, env: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ExprError(f"expression {text!r} uses {node.id!r}, which is not a model variable")
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_number(_eval(node.operand, env, text), text))
    if isinstance(node, ast.Call):
        args = [_number(_eval(a, env, text), text) for a in node.args]
        if node.func.id == "round" and len(args) == 2 and abs(args[1]) > 20:
            raise ExprError(f"expression {_shown(text)} rounds to too many digits")
        return _FUNCS[node.func.id](*args)
    left = _number(_eval(node.left, env, text), text)
    right = _number(_eval(node.right, env, text), text)
    if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
        raise ExprError(f"expression {_shown(text)}: exponent {right} is too large")
    if isinstance(node.op, ast.Pow) and abs(left) > 1 and right * math.log10(abs(left)) > 30:
        raise ExprError(f"expression {_shown(text)} raises to a power far too large")
    try:
        result = _BINOPS[type(node.op)](left, right)
    except ZeroDivisionError:
        raise ExprError(f"expression {_shown(text)} divides by zero") from None
    if isinstance(result, complex):
        raise ExprError(f"expression {_shown(text)} is not a real number")
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
    except (TypeError, ValueError, OverflowError, RecursionError) as err:
        reason = "it nests too deeply" if isinstance(err, RecursionError) else str(err)[:120]
        raise ExprError(f"expression {_shown(text)} cannot be evaluated: {reason}") from None
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        return result  # a plain reference to a text or flag variable
    if isinstance(result, float) and not math.isfinite(result):
        raise ExprError(f"expression {_shown(text)} is not a finite number")
    if abs(result) > _MAX_MAGNITUDE:
        raise ExprError(
            f"expression {_shown(text)} gives {float(min(abs(result), 10**300)):.3g}, "
            "which is far too large"
        )
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
