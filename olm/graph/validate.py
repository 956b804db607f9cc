"""``validate``: every problem with a document, each attached to a node, in plain words.

An invalid document can still be edited and saved; only :func:`olm.graph.build` refuses
one with errors. Checks, in order: variables; each node (known type, known and complete
parameters, values in range, references that make sense, the component's own
constructor rules run on the ``meta`` device, or known from the shipped table of preset
leaves before torch is loaded, see :mod:`olm.graph.facts`); each container's wiring; the
width flowing through the model; and model-wide rules (an embedding and a head, matching vocabularies,
one kind of position encoding, sequences no longer than learned positions).
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import OLMError
from olm.graph.budget import budget_problem
from olm.graph.catalog import ComponentSpec, catalog
from olm.graph.diagnostics import Diagnostic
from olm.graph.document import Graph, Node
from olm.graph.facts import LeafFacts, leaf_facts
from olm.graph.meta import meta_leaf
from olm.graph.ranges import check_value
from olm.graph.repeat import PATTERN, pattern_problem
from olm.graph.shapes import propagate
from olm.graph.values import ExprError, resolve, tag_of
from olm.graph.wiring import check_container

__all__ = ["validate", "Diagnostic"]


class _Checker:
    def __init__(self, graph: Graph, seq_len: int | None) -> None:
        self.graph = graph
        self.seq_len = seq_len
        self.out: list[Diagnostic] = []
        self.resolved: dict[str, dict[str, Any]] = {}
        self.metas: dict[str, LeafFacts] = {}
        self.env: dict[str, Any] = {}
        self.owners = graph.owners()

    def add(self, node_id: str, severity: str, message: str, code: str) -> None:
        self.out.append(Diagnostic(node_id, severity, message, code))

    def variables(self) -> None:
        env, errors = self.graph.variable_values()
        self.env = env
        for name, message in errors.items():
            self.add(self.graph.root, "error", f"Model variable {name}: {message}.", "variable")
        for name, value in env.items():
            kind = "int" if isinstance(value, int) and not isinstance(value, bool) else "float"
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                problem = check_value(name, kind, value)
                if problem:
                    self.add(self.graph.root, "error", f"Model variable {problem}.", "range")

    def in_repeat(self, node_id: str) -> str | None:
        """The id of the innermost Repeat holding ``node_id``, if any."""
        current = self.owners.get(node_id)
        while current is not None:
            if self.graph.nodes[current].type == "Repeat":
                return current
            current = self.owners.get(current)
        return None

    def reference(self, node: Node, name: str, target: str) -> bool:
        other = self.graph.nodes.get(target)
        if other is None or target not in self.owners and target != self.graph.root:
            self.add(node.id, "error", f"{node.type}.{name} refers to a part that is not in the model.", "ref")
            return False
        if other.type not in catalog() or catalog().get(other.type).family != "embedding":
            self.add(node.id, "error", f"{node.type}.{name} must refer to an Embedding, not {other.type}.", "ref")
            return False
        if self.in_repeat(target) not in (None, self.in_repeat(node.id)):
            self.add(
                node.id,
                "error",
                f"{node.type}.{name} refers to an embedding inside a Repeat, which has a "
                "different copy in every layer; tie to an embedding outside it.",
                "ref",
            )
            return False
        return True

    def params(self, node: Node, spec: ComponentSpec) -> dict[str, Any] | None:
        ok = True
        values: dict[str, Any] = {}
        for name, value in node.params.items():
            param = spec.param(name)
            if param is None and not spec.var_keyword:
                known = ", ".join(p.name for p in spec.params)
                self.add(node.id, "error", f"{node.type} has no parameter {name!r} (it takes {known}).", "param")
                ok = False
                continue
            tag = tag_of(value)
            if tag == "ref":
                ok = self.reference(node, name, value["ref"]) and ok
                continue
            if tag == "module":
                if value["module"] not in self.graph.nodes:
                    self.add(node.id, "error", f"{node.type}.{name} holds a part that does not exist.", "ref")
                    ok = False
                continue
            try:
                values[name] = resolve(value, self.env)
            except ExprError as err:
                self.add(node.id, "error", f"{node.type}.{name}: {err}.", "variable")
                ok = False
                continue
            if param is not None and param.kind in ("int", "float", "bool", "str"):
                problem = check_value(name, param.kind, values[name], param.optional)
                if problem:
                    self.add(node.id, "error", f"{node.type}: {problem}.", "range")
                    ok = False
            elif param is not None and param.kind == "choice" and values[name] not in param.choices:
                if not (values[name] is None and param.optional):
                    self.add(
                        node.id,
                        "error",
                        f"{node.type}.{name} must be one of {', '.join(map(repr, param.choices))}, "
                        f"got {values[name]!r}.",
                        "range",
                    )
                    ok = False
        for param in spec.params:
            if param.required and param.name not in node.params:
                self.add(node.id, "error", f"{node.type} needs a value for {param.name}.", "param")
                ok = False
        return values if ok else None

    def container(self, node: Node) -> None:
        self.out.extend(check_container(self.graph, node))
        values = {}
        for name, value in node.params.items():
            try:
                values[name] = resolve(value, self.env)
            except ExprError as err:
                self.add(node.id, "error", f"{node.type}.{name}: {err}.", "variable")
                return
        if node.type == "Repeat":
            problem = check_value("num_repeat", "int", values.get("num_repeat"))
            if problem:
                self.add(node.id, "error", f"Repeat: {problem}.", "range")
            else:
                problem = pattern_problem(node, self.env)
                if problem:
                    self.add(node.id, "error", f"{problem}.", "pattern")
            unknown = sorted(set(node.params) - {"num_repeat", PATTERN})
            if unknown:
                self.add(node.id, "error", f"Repeat has no parameter {unknown[0]!r} (it takes num_repeat, pattern).", "param")
        if node.type == "Parallel" and values.get("merge", "sum") not in ("sum", "mean", "concat"):
            self.add(node.id, "error", "Parallel merge must be 'sum', 'mean' or 'concat'.", "range")
        self.resolved[node.id] = values

    def leaf(self, node: Node) -> None:
        if node.type not in catalog():
            try:
                catalog().get(node.type)
            except OLMError as err:
                self.add(node.id, "error", f"{err}.", "type")
            return
        spec = catalog().get(node.type)
        values = self.params(node, spec)
        if values is None:
            return
        try:
            self.metas[node.id] = leaf_facts(self.graph, node.id, self.env, spec.family)
        except (OLMError, ExprError) as err:
            self.add(node.id, "error", str(err), "config")
            return
        self.resolved[node.id] = values

    def nodes(self) -> None:
        for node_id in self.graph.walk():
            node = self.graph.nodes[node_id]
            if node.is_container:
                self.container(node)
            else:
                self.leaf(node)

    def model(self, final) -> None:
        from olm.graph.rules import model_rules

        self.out.extend(model_rules(self.graph, self.resolved, self.metas, self.env, self.seq_len, final))


class _Modules:
    """The meta instance of a leaf that passed its checks, built only if asked for."""

    def __init__(self, graph: Graph, env: dict[str, Any], checked: dict[str, LeafFacts]) -> None:
        self.graph, self.env, self.checked = graph, env, checked

    def get(self, node_id: str) -> Any:
        if node_id not in self.checked:
            return None
        return meta_leaf(self.graph, node_id, self.env)


def validate(graph: Graph, seq_len: int | None = None) -> list[Diagnostic]:
    """Every problem with ``graph``: errors (cannot build) and warnings.

    Args:
        graph (Graph): the document.
        seq_len (int | None): the sequence length the model will be used with; default:
            the ``max_seq_len`` model variable, if there is one.

    Returns:
        list[Diagnostic]: in tree order; empty for a healthy model.
    """
    checker = _Checker(graph, seq_len)
    if graph.root not in graph.nodes:
        return [Diagnostic(graph.root, "error", "The document has no root container.", "empty")]
    checker.variables()
    checker.nodes()
    final = None
    if not any(d.severity == "error" and d.code in ("cycle", "missing") for d in checker.out):
        modules = _Modules(graph, checker.env, checker.metas)
        final = propagate(graph, checker.resolved, modules, checker.out.append)
    checker.model(final)
    too_many = budget_problem(graph, checker.env)
    if too_many:
        checker.add(graph.root, "error", f"{too_many[0].upper()}{too_many[1:]}.", "size")
    return checker.out
