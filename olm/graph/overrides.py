"""``--set NAME=VALUE``: change a document's size variables from the command line.

``olm info``, ``olm export`` and ``olm train`` accept ``--set`` (repeatable) for every
SOURCE kind (preset, project, checkpoint folder, ``.py``). Each one becomes the same
:class:`~olm.graph.commands.SetVariable` command the Studio's variables panel issues, so
the rules (a valid name, a value in the allowed range) and their messages are the
Studio's. A synonym names the variable it means (``d_model=256`` sets ``embed_dim``);
a name that is neither a variable nor a synonym of one is refused, listing the variables.
Values are read as literals (``256``, ``1e-5``, ``true``), never evaluated as code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from olm.core.errors import ConfigError
from olm.graph.document import Graph

__all__ = ["parse_set", "parse_sets", "resolve_name", "apply_overrides"]


def _literal(text: str) -> Any:
    """An int, float or bool from ``text``; anything else stays a string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text.strip().replace("_", ""))
        except ValueError:
            pass
    return text.strip()


def parse_set(text: str) -> tuple[str, Any]:
    """``"embed_dim=256"`` → ``("embed_dim", 256)``.

    Raises:
        ConfigError: there is no ``=`` or no name before it.
    """
    name, sep, value = str(text).partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ConfigError(f"--set {text!r} must be NAME=VALUE, e.g. --set embed_dim=256")
    return name.strip(), _literal(value)


def parse_sets(items: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Every ``NAME=VALUE`` (or an already parsed mapping) as one dict, the last one winning."""
    if not items:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    return dict(parse_set(item) for item in items)


def resolve_name(graph: Graph, name: str) -> str:
    """The document variable ``name`` means: itself, or the variable of its concept.

    Raises:
        ConfigError: no variable has that name or meaning.
    """
    from olm.graph.synonyms import concept_of

    if name in graph.variables:
        return name
    concept = concept_of(name)
    if concept is not None:
        for var in graph.variables:
            if concept_of(var) == concept:
                return var
    known = ", ".join(sorted(graph.variables)) or "none"
    raise ConfigError(f"--set {name}: {graph.name} has no variable {name!r} "
                      f"(its variables: {known})")


def apply_overrides(graph: Graph, sets: Iterable[str] | Mapping[str, Any] | None) -> Graph:
    """A copy of ``graph`` with each variable in ``sets`` changed (``graph`` is untouched).

    Raises:
        ConfigError / OLMError: a name or value the Studio would refuse, with its message.
    """
    from olm.graph.commands import SetVariable

    values = parse_sets(sets)
    if not values:
        return graph
    out = graph.copy()
    for name, value in values.items():
        var = resolve_name(out, name)
        try:
            SetVariable(var, value).do(out)
        except ConfigError as err:
            raise ConfigError(f"--set {name}={value}: {err}") from None
    return out
