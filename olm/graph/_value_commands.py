"""Commands that change values: parameters, repeat counts, merges and model variables."""

from __future__ import annotations

import builtins
import keyword
from typing import Any

from olm.core.errors import ConfigError, OLMError
from olm.graph._command import UNSET, Command, check_literal
from olm.graph.catalog import catalog
from olm.graph.document import CONTAINERS, Graph, Node
from olm.graph.repeat import pattern_problem
from olm.graph.values import evaluate, normalize_expr, tag_of, value_names

__all__ = ["SetParam", "SetRepeatCount", "SetMerge", "SetVariable", "RenameModel"]


class SetParam(Command):
    """Set one parameter to a literal, ``{"var": name}`` or ``{"expr": "..."}`` (or ``UNSET``).

    Args:
        node_id (str): the node.
        name (str): the parameter.
        value (Any): the new value; :data:`UNSET` removes it (back to the default).
    """

    text = "set parameter"

    def __init__(self, node_id: str, name: str, value: Any) -> None:
        super().__init__()
        self.node_id, self.name, self.value = node_id, name, value

    def touched(self, graph: Graph) -> set[str]:
        node = graph.node(self.node_id)
        kind, optional = self._kind(node)
        if node.type == "Repeat" and self.value is not UNSET and (
            self.name == "pattern" or tag_of(self.value) is None
        ):  # the layer pattern must still fit the variants and the count
            trial = Node("Repeat", {**node.params, self.name: self.value}, list(node.children))
            problem = pattern_problem(trial, graph.variable_values()[0])
            if problem:
                raise OLMError(problem)
        value = self.value
        tag = tag_of(value)
        if tag == "expr":
            value = self.value = {"expr": normalize_expr(value["expr"])}
        if tag in ("var", "expr"):
            env, _ = graph.variable_values()
            missing = value_names(value) - set(env)
            if missing:
                raise OLMError(f"{sorted(missing)[0]!r} is not a model variable")
            resolved = env[value["var"]] if tag == "var" else evaluate(value["expr"], env)
            check_literal(self.name, kind, resolved, optional)
        elif tag in ("ref", "module"):
            graph.node(value[tag])
        elif value is not UNSET and kind in ("int", "float", "bool", "str"):
            check_literal(self.name, kind, value, optional)
        ids = {self.node_id}
        old = node.params.get(self.name)
        if tag_of(old) == "module":
            ids |= set(graph.subtree(old["module"]))
        return ids

    def _kind(self, node: Node) -> tuple[str, bool]:
        if node.type == "Repeat":
            if self.name == "pattern":
                return "any", True
            if self.name != "num_repeat":
                raise OLMError(f"Repeat has no parameter {self.name!r}")
            return "int", False
        if node.type == "Parallel":
            if self.name not in ("merge", "dim"):
                raise OLMError(f"Parallel has no parameter {self.name!r}")
            return ("choice" if self.name == "merge" else "int"), False
        if node.is_container:
            raise OLMError(f"{node.type} has no parameters")
        spec = catalog().get(node.type)
        param = spec.param(self.name)
        if param is None:
            if not spec.var_keyword:
                raise OLMError(f"{node.type} has no parameter {self.name!r}")
            return "any", True
        if param.kind == "choice" and self.value is not UNSET and tag_of(self.value) is None:
            if self.value not in param.choices and not (self.value is None and param.optional):
                raise ConfigError(f"{self.name} must be one of {', '.join(map(repr, param.choices))}")
        return param.kind, param.optional

    def apply(self, graph: Graph) -> None:
        node = graph.nodes[self.node_id]
        old = node.params.get(self.name)
        if tag_of(old) == "module" and old != self.value:
            for node_id in graph.subtree(old["module"]):
                graph.nodes.pop(node_id, None)
        if self.value is UNSET:
            node.params.pop(self.name, None)
        else:
            node.params[self.name] = self.value


class SetRepeatCount(SetParam):
    """Set how many copies a ``Repeat`` makes (a number or a variable reference)."""

    text = "set repeat count"

    def __init__(self, node_id: str, count: Any) -> None:
        super().__init__(node_id, "num_repeat", count)


class SetMerge(SetParam):
    """Set how a ``Parallel`` merges its branches: ``"sum"``, ``"mean"`` or ``"concat"``."""

    text = "set merge"

    def __init__(self, node_id: str, merge: str) -> None:
        if merge not in ("sum", "mean", "concat"):
            raise ConfigError(f"merge must be 'sum', 'mean' or 'concat', got {merge!r}")
        super().__init__(node_id, "merge", merge)


_RESERVED = {"model", "torch", "lambda", "True", "False", "None", "__name__"}


class SetVariable(Command):
    """Create, change or (with :data:`UNSET`) delete a model variable.

    Args:
        name (str): the variable (a Python identifier).
        value (Any): a number, text, bool or ``{"expr": "..."}`` over other variables.
    """

    text = "set variable"

    def __init__(self, name: str, value: Any) -> None:
        super().__init__()
        self.name, self.value = name, value

    def touched(self, graph: Graph) -> set[str]:
        if not self.name.isidentifier() or keyword.iskeyword(self.name) or self.name in _RESERVED:
            raise OLMError(f"{self.name!r} cannot be a variable name; use letters, digits and _")
        if self.name.startswith("__") or hasattr(builtins, self.name):
            # The exported Python could not use it (olm.graph.to_python refuses it too).
            raise OLMError(f"{self.name!r} is a Python built-in; choose another variable name")
        if self.name in catalog() or self.name in CONTAINERS:
            raise OLMError(f"{self.name!r} is a component name; choose another variable name")
        if self.value is UNSET:
            users = [
                n.type for n in graph.nodes.values()
                if any(self.name in value_names(v) for v in n.params.values())
            ] + [k for k, v in graph.variables.items() if self.name in value_names(v)]
            if users:
                raise OLMError(f"{self.name} is still used by {', '.join(sorted(set(users)))}")
            return set()
        trial = dict(graph.variables)
        if tag_of(self.value) == "expr":
            self.value = {"expr": normalize_expr(self.value["expr"])}
        trial[self.name] = self.value
        probe = Graph({}, "", trial)
        env, errors = probe.variable_values()
        if self.name in errors:
            raise ConfigError(errors[self.name])
        value = env[self.name]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            kind = "int" if isinstance(value, int) else "float"
            check_literal(self.name, kind, value)
        elif not isinstance(value, (str, bool)) and value is not None:
            raise ConfigError(f"variable {self.name} must be a number, text or True/False")
        return set()

    def apply(self, graph: Graph) -> None:
        if self.value is UNSET:
            graph.variables.pop(self.name, None)
        else:
            graph.variables[self.name] = self.value


class RenameModel(Command):
    """Change the document's name, as one undoable step like every other edit.

    Args:
        name (str): the new model name.
    """

    text = "rename model"

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.old: str | None = None

    def do(self, graph: Graph) -> None:
        self.old, graph.name = graph.name, self.name
        graph.events.changed.emit()

    def undo(self, graph: Graph) -> None:
        if self.old is None:
            raise OLMError(f"{self.text!r} has not been done, so it cannot be undone")
        graph.name, self.old = self.old, None
        graph.events.changed.emit()
