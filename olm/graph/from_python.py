"""``from_python``: read a model from Python source with ``ast``, never executing it.

It reads what people and this project write: ``from olm... import`` lines, variables
assigned numbers or arithmetic on earlier variables, components bound to names
(``embedding = Embedding(...)``), and one model expression built from ``Block``,
``Residual``, ``Repeat(lambda: ..., n)`` (or ``Repeat([lambda: ..., ...], n, pattern=...)``)
and ``Parallel``. The ``if __name__ ==
"__main__":`` block is skipped. Anything else is refused with the file name, the line
number and the reason, as a :class:`~olm.core.errors.FileFormatError`.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from typing import Any

from olm.core.errors import FileFormatError
from olm.core.limits import (
    MAX_MODEL_CALLS,
    MAX_NAME_CHARS,
    MAX_NODES,
    MAX_SOURCE_BYTES,
    MAX_TEXT_CHARS,
)
from olm.graph.catalog import ComponentSpec, catalog
from olm.graph.document import CONTAINERS, Graph, Node
from olm.graph.values import ExprError, check_size, evaluate, expr_names, is_tag, normalize_expr

__all__ = ["from_python"]

_MAX_SOURCE = MAX_SOURCE_BYTES
_MAX_INT = 2**63
# The model name in the file's docstring ("Llama3_1_8B: ..."): one word of sane length.
_TITLE = re.compile(rf"\s*(\w{{1,{MAX_NAME_CHARS}}}):")


class _Refused(Exception):
    def __init__(self, node: ast.AST | None, reason: str) -> None:
        super().__init__(reason)
        self.line = getattr(node, "lineno", None)
        self.reason = reason


def _what(node: ast.AST) -> str:
    names = {
        ast.For: "a for loop", ast.While: "a while loop", ast.FunctionDef: "a function definition",
        ast.ClassDef: "a class definition", ast.With: "a with block", ast.Import: "an import",
        ast.Try: "a try block", ast.AugAssign: "an augmented assignment",
        ast.AnnAssign: "an annotated assignment", ast.Attribute: "attribute access",
        ast.Subscript: "indexing", ast.ListComp: "a list comprehension",
        ast.JoinedStr: "an f-string", ast.Lambda: "a lambda",
    }
    return names.get(type(node), f"`{type(node).__name__}`")


class _Reader:
    def __init__(self) -> None:
        self.classes: dict[str, str] = {}  # local name -> type key
        self.models: dict[str, type] = {}  # local name -> reference-model class
        self.used: set[str] = set()  # variables something already refers to
        self.variables: dict[str, Any] = {}
        self.env: dict[str, Any] = {}
        self.bound: dict[str, str] = {}  # name -> node id
        self.bound_line: dict[str, int] = {}
        self.nodes: dict[str, Node] = {}
        self.placed: set[str] = set()
        self.refs: list[tuple[str, ast.AST]] = []
        self.last_expr: str | None = None
        self.name: str | None = None
        self.model_calls = 0

    # -- statements ----------------------------------------------------------------------

    def module(self, tree: ast.Module) -> None:
        for i, stmt in enumerate(tree.body):
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                if i == 0:
                    match = _TITLE.match(stmt.value.value)
                    self.name = match.group(1) if match else None
                continue
            if isinstance(stmt, ast.ImportFrom):
                self.import_from(stmt)
            elif isinstance(stmt, ast.Import):
                if any(a.name != "torch" for a in stmt.names):
                    raise _Refused(stmt, "only `import torch` and `from olm... import` lines are read")
            elif isinstance(stmt, ast.Assign):
                self.assign(stmt)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                node_id = self.expr_node(stmt.value)
                self.last_expr = node_id
            elif isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
                continue
            else:
                raise _Refused(
                    stmt,
                    f"{_what(stmt)} is not read; a model file holds imports, variables, "
                    'component assignments and an `if __name__ == "__main__":` block',
                )

    def import_from(self, stmt: ast.ImportFrom) -> None:
        module = stmt.module or ""
        if stmt.level or not (module == "olm" or module.startswith("olm.")):
            raise _Refused(stmt, f"imports from {module or '.'!r} are not read; only olm components")
        for alias in stmt.names:
            model = _model_class(module, alias.name)
            if model is not None:
                self.models[alias.asname or alias.name] = model
                self.classes[alias.asname or alias.name] = alias.name
                continue
            if alias.name not in catalog() and alias.name not in CONTAINERS:
                raise _Refused(stmt, f"{alias.name!r} is not an olm component")
            self.classes[alias.asname or alias.name] = alias.name

    def assign(self, stmt: ast.Assign) -> None:
        if len(stmt.targets) != 1:
            raise _Refused(stmt, "chained assignments (a = b = ...) are not read")
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Tuple):
            if not isinstance(value, ast.Tuple) or len(value.elts) != len(target.elts):
                raise _Refused(stmt, "unpacking needs as many values as names")
            for t, v in zip(target.elts, value.elts):
                self.assign_one(t, v)
        else:
            self.assign_one(target, value)

    def assign_one(self, target: ast.expr, value: ast.expr) -> None:
        if not isinstance(target, ast.Name):
            raise _Refused(target, f"assigning to {_what(target)} is not read")
        name = target.id
        if name in self.bound or name in self.classes or name in self.used:
            raise _Refused(target, f"{name!r} is assigned again after it was used")
        self.variables.pop(name, None)
        if self.is_component_call(value) or (isinstance(value, ast.Name) and value.id in self.bound):
            if isinstance(value, ast.Name):
                raise _Refused(value, f"{name!r} would be a second name for {value.id!r}")
            self.bound[name] = self.expr_node(value)
            self.bound_line[name] = target.lineno
            return
        literal = self.literal(value)
        if literal is not _NOT_LITERAL:
            self.variables[name] = literal
            self.env[name] = literal
            return
        text = self.expression(value)
        self.variables[name] = {"expr": text}
        try:
            self.env[name] = evaluate(text, self.env)
        except ExprError as err:
            raise _Refused(value, str(err)) from None

    # -- expressions ---------------------------------------------------------------------

    def is_component_call(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.classes

    def literal(self, node: ast.expr) -> Any:
        if isinstance(node, (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.UnaryOp)):
            try:
                value = ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return _NOT_LITERAL
            return _jsonable(value, node)
        return _NOT_LITERAL

    def expression(self, node: ast.expr) -> str:
        try:
            check_size(node, f"line {getattr(node, 'lineno', '?')}")
        except ExprError as err:
            raise _Refused(node, str(err)) from None
        text = ast.unparse(node)
        try:
            text = normalize_expr(text)
        except ExprError:
            raise _Refused(node, f"{_what(node)} is not read here; use numbers, variables and arithmetic") from None
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id not in self.env and sub.id not in ("int", "float", "round", "min", "max", "abs"):
                raise _Refused(sub, f"name {sub.id!r} is not defined before it is used")
        try:
            evaluate(text, self.env)
        except ExprError as err:
            raise _Refused(node, str(err)) from None
        self.used |= expr_names(text)
        return text

    def param(self, node: ast.expr, kind: str) -> Any:
        if isinstance(node, ast.Name):
            if node.id in self.bound:
                if kind == "module-ref":
                    self.refs.append((node.id, node))
                    return {"ref": self.bound[node.id]}
                return {"module": self.place(node)}
            if node.id in self.variables:
                self.used.add(node.id)
                return {"var": node.id}
            if node.id in ("True", "False", "None"):
                return ast.literal_eval(node)
            raise _Refused(node, f"name {node.id!r} is not defined before it is used")
        if self.is_component_call(node):
            return {"module": self.expr_node(node)}
        literal = self.literal(node)
        if literal is not _NOT_LITERAL:
            return {"literal": literal} if is_tag(literal) else literal
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.param(e, kind) for e in node.elts]
        return {"expr": self.expression(node)}

    def place(self, node: ast.Name) -> str:
        node_id = self.bound[node.id]
        if node_id in self.placed:
            raise _Refused(node, f"{node.id!r} is already used once in the model; a component can only appear in one place")
        self.placed.add(node_id)
        return node_id

    def child(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name) and node.id in self.bound:
            return self.place(node)
        if self.is_component_call(node):
            return self.expr_node(node)
        raise _Refused(node, f"{_what(node) if not isinstance(node, ast.Name) else repr(node.id)} is not a component")

    def expr_node(self, call: ast.expr) -> str:
        if not self.is_component_call(call):
            raise _Refused(call, "expected a component such as Block([...]) or RMSNorm(embed_dim)")
        assert isinstance(call, ast.Call)
        type_key = self.classes[call.func.id]
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                raise _Refused(arg, "*args are not read")
        if any(k.arg is None for k in call.keywords):
            raise _Refused(call, "**kwargs are not read")
        if len(self.nodes) >= MAX_NODES:
            raise _Refused(call, f"the model has more than {MAX_NODES:,} parts")
        if call.func.id in self.models:
            self.model_calls += 1
            if self.model_calls > MAX_MODEL_CALLS:
                raise _Refused(call, f"a file may call at most {MAX_MODEL_CALLS} reference models")
            return self.reference_model(call, self.models[call.func.id])
        node = self.container(call, type_key) if type_key in CONTAINERS else self.leaf(call, type_key)
        self.nodes[node.id] = node
        return node.id

    def plain(self, node: ast.expr) -> Any:
        """The value of a reference-model argument (variables evaluated)."""
        value = self.param(node, "any")
        if isinstance(value, dict) and set(value) == {"var"}:
            return self.env[value["var"]]
        if isinstance(value, dict) and set(value) == {"expr"}:
            return evaluate(value["expr"], self.env)
        if isinstance(value, dict) and set(value) == {"literal"}:
            return value["literal"]
        if isinstance(value, dict) and set(value) & {"module", "ref"}:
            raise _Refused(node, "reference models take numbers and text, not components")
        return value

    def reference_model(self, call: ast.Call, cls: type) -> str:
        """Decompose ``Llama3_1_8B()`` or ``Llama3Model(...)`` into document nodes.

        The class is the library's own code (imported from ``olm``), built on the meta
        device; nothing from the file being read runs.
        """
        import torch

        from olm.graph.describe_module import from_module

        args = [self.plain(a) for a in call.args]
        kwargs = {k.arg: self.plain(k.value) for k in call.keywords}
        try:
            with torch.device("meta"):
                module = cls(*args, **kwargs)
        except (TypeError, ValueError, RuntimeError) as err:
            text = str(err)
            raise _Refused(call, text if text.startswith(cls.__name__) else f"{cls.__name__}: {text}") from None
        sub = from_module(module)
        if self.name is None:
            self.name = cls.__name__
        for name, value in sub.variables.items():
            if name not in self.variables and name not in self.bound and name not in self.classes:
                self.variables[name] = value
                self.env[name] = value
            elif self.env.get(name) != value:
                _inline_variable(sub, name, value)
        self.nodes.update(sub.nodes)
        return sub.root

    def bind_args(self, call: ast.Call, names: list[str], type_key: str, var_keyword: bool = False) -> dict[str, ast.expr]:
        if len(call.args) > len(names):
            raise _Refused(call, f"{type_key} takes at most {len(names)} positional arguments, got {len(call.args)}")
        given = dict(zip(names, call.args))
        for kw in call.keywords:
            if kw.arg in given:
                raise _Refused(kw.value, f"{type_key} got {kw.arg!r} twice")
            if kw.arg not in names and not var_keyword:
                raise _Refused(kw.value, f"{type_key} has no parameter {kw.arg!r}")
            given[kw.arg] = kw.value
        return given

    def container(self, call: ast.Call, type_key: str) -> Node:
        if type_key in ("Block", "Pipeline"):
            given = self.bind_args(call, ["blocks"], type_key)
            return Node(type_key, {}, self.children(given.get("blocks"), call, type_key))
        if type_key == "Residual":
            given = self.bind_args(call, ["block"], type_key)
            if "block" not in given:
                raise _Refused(call, "Residual needs the block it wraps")
            return Node("Residual", {}, [self.child(given["block"])])
        if type_key == "Repeat":
            given = self.bind_args(call, ["module_func", "num_repeat", "pattern"], type_key)
            func = given.get("module_func")
            funcs = func.elts if isinstance(func, (ast.List, ast.Tuple)) else [func]
            if not funcs:
                raise _Refused(call, "Repeat needs at least one `lambda: <block>`")
            if "num_repeat" not in given:
                raise _Refused(call, "Repeat needs its count (num_repeat)")
            children = [self.variant(f, call) for f in funcs]
            params = {"num_repeat": self.param(given["num_repeat"], "int")}
            if "pattern" in given:
                params["pattern"] = self.pattern(given["pattern"])
            return Node("Repeat", params, children)
        given = self.bind_args(call, ["blocks", "merge", "dim"], type_key)
        params = {k: self.param(v, "any") for k, v in given.items() if k != "blocks"}
        node = Node("Parallel", params, self.children(given.get("blocks"), call, type_key))
        node.wires.remove_edges_from(list(node.wires.edges))
        return node

    def variant(self, func: ast.expr | None, call: ast.Call) -> str:
        """One Repeat factory, ``lambda: <block>``, read as the block it builds."""
        if not (isinstance(func, ast.Lambda) and not func.args.args and not func.args.vararg and not func.args.kwarg):
            raise _Refused(func or call, "Repeat's first argument must be `lambda: <block>` or a list of them")
        if isinstance(func.body, ast.Name):
            raise _Refused(func.body, "a Repeat lambda must build a new block for every copy; write the block inside the lambda")
        return self.child(func.body)

    def pattern(self, node: ast.expr) -> Any:
        """A layer pattern: a list of variant indices, or runs such as ``[0] * 5 + [1]``."""
        if isinstance(node, ast.Name):
            return self.param(node, "any")
        return _pattern_list(node)

    def children(self, node: ast.expr | None, call: ast.Call, type_key: str) -> list[str]:
        if not isinstance(node, (ast.List, ast.Tuple)):
            raise _Refused(call, f"{type_key} takes a list of components: {type_key}([...])")
        return [self.child(e) for e in node.elts]

    def leaf(self, call: ast.Call, type_key: str) -> Node:
        spec: ComponentSpec = catalog().get(type_key)
        names = [p.name for p in spec.params if p.positional]
        given = self.bind_args(call, names + [p.name for p in spec.params if not p.positional], type_key, spec.var_keyword)
        if len(call.args) > len(names):
            raise _Refused(call, f"{type_key} takes at most {len(names)} positional arguments")
        params: dict[str, Any] = {}
        for param in spec.params:
            if param.name in given:
                params[param.name] = self.param(given[param.name], param.kind)
            elif param.required:
                raise _Refused(call, f"{type_key} needs a value for {param.name!r}")
        for name, value in given.items():
            if name not in params:
                params[name] = self.param(value, "any")
        return Node(type_key, params)

    # -- result --------------------------------------------------------------------------

    def graph(self) -> Graph:
        if "model" in self.bound:
            root = self.bound["model"]
        elif self.last_expr is not None:
            root = self.last_expr
        elif self.bound:
            unplaced = [n for n, i in self.bound.items() if i not in self.placed]
            if not unplaced:
                raise _Refused(None, "no model expression found")
            root = self.bound[unplaced[-1]]
        else:
            raise _Refused(None, "the file defines no model (expected e.g. `model = Block([...])`)")
        self.placed.add(root)
        for name, node_id in self.bound.items():
            if node_id not in self.placed:
                raise _Refused(_Line(self.bound_line[name]), f"{name!r} is defined but is not part of the model")
        if self.nodes[root].type not in CONTAINERS:
            wrapper = Node("Block", {}, [root])
            self.nodes[wrapper.id] = wrapper
            root = wrapper.id
        return Graph(self.nodes, root, self.variables, self.name or "model")


class _Line:
    def __init__(self, lineno: int) -> None:
        self.lineno = lineno


_NOT_LITERAL = object()


def _jsonable(value: Any, node: ast.AST) -> Any:
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        return [_jsonable(v, node) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise _Refused(node, "dictionary keys must be text")
        return {k: _jsonable(v, node) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(node, f"{value!r} is not a finite number")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
        raise _Refused(node, f"a {value.bit_length()}-bit integer is far too large")
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        raise _Refused(node, f"text of {len(value):,} characters is more than the {MAX_TEXT_CHARS:,} allowed")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise _Refused(node, f"a {type(value).__name__} value is not read")


_MAX_PATTERN = 65_536


def _pattern_list(node: ast.expr) -> list[int]:
    """Evaluate list literals of ints joined by ``+`` and repeated by ``* n`` (no eval)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        out = []
        for e in node.elts:
            if not (isinstance(e, ast.Constant) and type(e.value) is int):
                raise _Refused(e, "a Repeat pattern holds variant numbers (0, 1, ...)")
            out.append(e.value)
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        out = _pattern_list(node.left) + _pattern_list(node.right)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        seq, times = (node.left, node.right) if isinstance(node.right, ast.Constant) else (node.right, node.left)
        if not (isinstance(times, ast.Constant) and type(times.value) is int and times.value >= 0):
            raise _Refused(node, "a Repeat pattern repeats a list by a whole number: [0] * 5")
        part = _pattern_list(seq)
        if len(part) * times.value > _MAX_PATTERN:
            raise _Refused(node, f"a Repeat pattern may hold at most {_MAX_PATTERN:,} entries")
        out = part * times.value
    else:
        raise _Refused(node, "a Repeat pattern is a list of variant numbers, e.g. [0, 0, 1] or [0] * 5 + [1]")
    if len(out) > _MAX_PATTERN:
        raise _Refused(node, f"a Repeat pattern may hold at most {_MAX_PATTERN:,} entries")
    return out


def _model_class(module: str, name: str) -> type | None:
    """The reference-model class ``name`` importable from ``module``, if it is one."""
    import importlib

    from olm.core.capture import Component

    # Only the library's own model packages are imported (never olm.__main__ or the CLI).
    if not (module == "olm.models" or module.startswith(("olm.models.", "olm.nn"))):
        return None
    if "__main__" in module:
        return None
    try:
        obj = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    if isinstance(obj, type) and issubclass(obj, Component) and getattr(obj, "family", None) == "model":
        return obj
    return None


def _inline_variable(graph: Graph, name: str, value: Any) -> None:
    """Replace references to variable ``name`` in ``graph``'s nodes by its value."""
    for node in graph.nodes.values():
        for key, param in node.params.items():
            if param == {"var": name}:
                node.params[key] = value


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def from_python(source: str, filename: str = "<string>") -> Graph:
    """Parse model source (never executed) into a :class:`Graph`.

    Args:
        source (str): the Python text.
        filename (str): named in error messages.

    Raises:
        FileFormatError: ``"<filename>, line N: <reason>"`` for anything it cannot read.
    """
    if len(source) > _MAX_SOURCE:
        raise FileFormatError(f"{filename}: the file is too large to be a model ({len(source):,} characters)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" and the like
            tree = ast.parse(source, filename=filename)
    except SyntaxError as err:
        raise FileFormatError(f"{filename}, line {err.lineno}: not valid Python ({err.msg})") from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise FileFormatError(f"{filename}: cannot be parsed ({type(err).__name__})") from None
    reader = _Reader()
    try:
        reader.module(tree)
        return reader.graph()
    except _Refused as err:
        where = f", line {err.line}" if err.line else ""
        raise FileFormatError(f"{filename}{where}: {err.reason}") from None
    except RecursionError:
        raise FileFormatError(f"{filename}: the model is nested too deeply to read") from None
