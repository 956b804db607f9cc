"""The catalog: every `olm.nn` component with its parameters, derived from the library.

Nothing here is written by hand per component. The catalog imports each public module of
``olm.nn``, keeps the classes in their ``__all__`` that subclass
:class:`~olm.core.capture.Component` and declare a ``family``, and reads each one's
constructor signature (kinds and choices from the type hints, defaults), its Google
docstring (one-line description, one line per argument) and the central range table
(:mod:`olm.graph.ranges`). A component added to ``olm.nn`` therefore appears in the
palette, the inspector and the parser with no second edit.

The same catalog is also shipped as data (``olm/graph/data/catalog.json``, written by
``tools/generate_data.py`` and checked equal to the live one by the tests): until
``olm.nn`` has been imported, :func:`catalog` reads that file, so the Studio's palette and
``olm info`` need no torch. Component classes are then imported on first use of
:attr:`ComponentSpec.cls`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

from olm.core.errors import OLMError
from olm.graph.ranges import range_for
from olm.graph.synonyms import names_for

__all__ = [
    "CATALOG_FILE",
    "GROUPS",
    "Catalog",
    "ComponentSpec",
    "ParamSpec",
    "REQUIRED",
    "catalog",
    "catalog_to_data",
    "live_catalog",
]

CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.json"

# Palette groups, in the order the palette shows them.
GROUPS: dict[str, str] = {
    "embedding": "Embeddings",
    "attention": "Attention",
    "norm": "Norms",
    "feedforward": "Feed-forward",
    "moe": "Mixture of Experts",
    "structure": "Structure",
    "head": "Heads",
    "activation": "Activations",
}
# Parameters that point at another node of the model rather than owning a component.
_REFERENCE_PARAMS = {"tied_embedding"}
_ACTIVATION_PARAMS = frozenset(names_for("activation"))  # the synonym table's spellings


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class ParamSpec:
    """One constructor parameter as the inspector and the validator see it.

    Args:
        name (str): the argument name.
        kind (str): ``int``, ``float``, ``bool``, ``str``, ``choice``, ``dict``, ``list``,
            ``module`` (an owned component), ``module-ref`` (another node) or ``any``.
        default (Any): the default value, or :data:`REQUIRED`.
        range (tuple | None): allowed (low, high) for numbers.
        choices (tuple | None): allowed values for ``choice``.
        doc (str): one line from the docstring's ``Args:`` entry.
        optional (bool): ``None`` is an accepted value.
        positional (bool): may be given by position (printed positionally when required).
    """

    name: str
    kind: str
    default: Any
    range: tuple[float, float] | None
    choices: tuple | None
    doc: str
    optional: bool
    positional: bool

    @property
    def required(self) -> bool:
        """True when the constructor has no default for this parameter."""
        return self.default is REQUIRED


@dataclass(frozen=True)
class ComponentSpec:
    """One palette entry.

    Args:
        name (str): the type key: the class name.
        class_ref (type | str): the component class, or ``"module:attribute"`` naming it
            (the shipped catalog; imported on first use of :attr:`cls`).
        family (str): its ``family`` attribute.
        group (str): the palette group name.
        module (str): the public module it is imported from in printed Python.
        doc (str): the docstring's first line.
        params (tuple[ParamSpec, ...]): constructor parameters in signature order.
        var_keyword (bool): the constructor also takes ``**kwargs``.
    """

    name: str
    class_ref: Any = field(compare=False)
    family: str
    group: str
    module: str
    doc: str
    params: tuple[ParamSpec, ...]
    var_keyword: bool

    @property
    def cls(self) -> type:
        """The component class (importing its module, and torch, on first use)."""
        ref = self.class_ref
        if isinstance(ref, str):
            module, _, attribute = ref.partition(":")
            ref = getattr(importlib.import_module(module), attribute)
            object.__setattr__(self, "class_ref", ref)
        return ref

    @property
    def is_container(self) -> bool:
        """True for ``Block``, ``Residual``, ``Repeat`` and ``Parallel``."""
        return self.family == "structure"

    def param(self, name: str) -> ParamSpec | None:
        """The parameter called ``name``, or ``None``."""
        for p in self.params:
            if p.name == name:
                return p
        return None


def _arg_docs(doc: str) -> dict[str, str]:
    """``Args:`` entries of a Google docstring: name → first sentence."""
    out: dict[str, str] = {}
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return out
    indent = None
    current = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if indent is None:
            indent = width
        if width < indent:
            break
        match = re.match(r"\s*\**(\w+)\s*(\([^)]*\))?\s*:\s*(.*)", line)
        if width == indent and match:
            current = match.group(1)
            out[current] = match.group(3).strip()
        elif current is not None:
            out[current] += " " + line.strip()
    return {k: re.split(r"(?<=\.)\s", v, maxsplit=1)[0] for k, v in out.items()}


def _kind(name: str, hint: Any, default: Any) -> tuple[str, tuple | None, bool]:
    """(kind, choices, optional) from a type hint, falling back to the default's type."""
    from torch import nn

    if name in _REFERENCE_PARAMS:
        return "module-ref", None, True
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    optional = default is None
    members = list(args) if origin in (Union, types.UnionType) else [hint]
    if type(None) in members:
        optional = True
        members = [m for m in members if m is not type(None)]
    literals = [m for m in members if typing.get_origin(m) is Literal]
    if literals:
        return "choice", tuple(v for lit in literals for v in typing.get_args(lit)), optional
    if name in _ACTIVATION_PARAMS:
        from olm.core.registry import ACTIVATIONS

        return "choice", tuple(ACTIVATIONS.names()), optional
    plain = [typing.get_origin(m) or m for m in members]
    for kind, types_ in (
        ("bool", (bool,)),
        ("int", (int,)),
        ("float", (float,)),
        ("str", (str,)),
        ("dict", (dict,)),
        ("list", (list, tuple)),
    ):
        if plain and all(p in types_ or (kind == "float" and p is int) for p in plain):
            return kind, None, optional
    if any(isinstance(p, type) and issubclass(p, nn.Module) for p in plain):
        return "module", None, True
    if default is not None and default is not REQUIRED:
        for kind, t in (("bool", bool), ("int", int), ("float", float), ("str", str)):
            if isinstance(default, t):
                return kind, None, optional
    return "any", None, optional


def _spec(cls: type, module: str) -> ComponentSpec:
    from olm.core.capture import init_signature

    signature = init_signature(cls)
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # noqa: BLE001 - a hint we cannot evaluate just means "any"
        hints = {}
    doc = inspect.getdoc(cls) or ""
    arg_docs = _arg_docs(doc)
    params = []
    var_keyword = False
    for p in signature.parameters.values():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            var_keyword = True
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        default = REQUIRED if p.default is inspect.Parameter.empty else p.default
        kind, choices, optional = _kind(p.name, hints.get(p.name, Any), default)
        params.append(
            ParamSpec(
                name=p.name,
                kind=kind,
                default=default,
                range=range_for(p.name, kind) if kind in ("int", "float") else None,
                choices=choices,
                doc=arg_docs.get(p.name, ""),
                optional=optional,
                positional=p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
        )
    family = cls.family
    return ComponentSpec(
        name=cls.__name__,
        class_ref=cls,
        family=family,
        group=GROUPS.get(family, family.title()),
        module=module,
        doc=doc.splitlines()[0] if doc else "",
        params=tuple(params),
        var_keyword=var_keyword,
    )


def _public_modules() -> list[str]:
    import olm.nn

    names = ["olm.nn"]
    for info in pkgutil.iter_modules(olm.nn.__path__):
        if not info.name.startswith("_"):
            names.append(f"olm.nn.{info.name}")
    return names


# Printed Python imports the combinators the way the reference page does.
_PREFERRED_MODULE = {
    "Residual": "olm.nn.structure.combinators",
    "Repeat": "olm.nn.structure.combinators",
    "Parallel": "olm.nn.structure.combinators",
}


class Catalog:
    """Every component of `olm.nn`, by type key and by palette group.

    Args:
        components (dict[str, ComponentSpec]): the entries by class name.
    """

    def __init__(self, components: dict[str, ComponentSpec]) -> None:
        self.components = components

    def __contains__(self, name: object) -> bool:
        return name in self.components

    def __iter__(self):
        return iter(self.components.values())

    def __len__(self) -> int:
        return len(self.components)

    def get(self, name: str) -> ComponentSpec:
        """The entry for type key ``name``; :class:`OLMError` naming close matches if none."""
        try:
            return self.components[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, list(self.components), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise OLMError(f"{name!r} is not an olm component{hint}") from None

    def groups(self) -> dict[str, list[ComponentSpec]]:
        """Palette groups in display order, each sorted by name."""
        out: dict[str, list[ComponentSpec]] = {}
        order = list(GROUPS.values())
        for spec in sorted(self.components.values(), key=lambda s: s.name):
            out.setdefault(spec.group, []).append(spec)
        return dict(sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))

    def same_role(self, name: str) -> list[ComponentSpec]:
        """Components of the same family as ``name`` (what "Replace with…" offers)."""
        family = self.get(name).family
        return [s for s in self.components.values() if s.family == family and s.name != name]

    def search(self, text: str) -> list[ComponentSpec]:
        """Entries whose name or description contains ``text`` (case-insensitive)."""
        needle = text.lower()
        hits = [s for s in self.components.values() if needle in s.name.lower()]
        hits += [s for s in self.components.values() if needle in s.doc.lower() and s not in hits]
        return hits


@functools.lru_cache(maxsize=1)
def _build_catalog() -> Catalog:
    from olm.core.capture import Component

    components: dict[str, ComponentSpec] = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if not (isinstance(obj, type) and issubclass(obj, Component)):
                continue
            family = getattr(obj, "family", None)
            if family is None or family == "model" or obj.__name__ in components:
                continue
            components[obj.__name__] = _spec(obj, _PREFERRED_MODULE.get(name, module_name))
    return Catalog(components)


def _encode(value: Any) -> Any:
    if value is REQUIRED:
        return {"required": True}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and value.keys() == {"required"}:
        return REQUIRED
    if isinstance(value, dict) and value.keys() == {"tuple"}:
        return tuple(_decode(v) for v in value["tuple"])
    return value


def catalog_to_data(cat: Catalog) -> dict[str, Any]:
    """The catalog as JSON-able data (what ``catalog.json`` holds)."""
    entries = []
    for spec in cat:
        cls = spec.cls
        entries.append({
            "name": spec.name,
            "class": f"{cls.__module__}:{cls.__qualname__}",
            "family": spec.family,
            "group": spec.group,
            "module": spec.module,
            "doc": spec.doc,
            "var_keyword": spec.var_keyword,
            "params": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "default": _encode(p.default),
                    "range": None if p.range is None else list(p.range),
                    "choices": None if p.choices is None else _encode(tuple(p.choices)),
                    "doc": p.doc,
                    "optional": p.optional,
                    "positional": p.positional,
                }
                for p in spec.params
            ],
        })
    return {"format": 1, "components": entries}


def _catalog_from_data(data: dict[str, Any]) -> Catalog:
    components: dict[str, ComponentSpec] = {}
    for entry in data["components"]:
        params = tuple(
            ParamSpec(
                name=p["name"],
                kind=p["kind"],
                default=_decode(p["default"]),
                range=None if p["range"] is None else tuple(p["range"]),
                choices=None if p["choices"] is None else _decode(p["choices"]),
                doc=p["doc"],
                optional=p["optional"],
                positional=p["positional"],
            )
            for p in entry["params"]
        )
        components[entry["name"]] = ComponentSpec(
            name=entry["name"],
            class_ref=entry["class"],
            family=entry["family"],
            group=entry["group"],
            module=entry["module"],
            doc=entry["doc"],
            params=params,
            var_keyword=entry["var_keyword"],
        )
    return Catalog(components)


@functools.lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog | None:
    try:
        return _catalog_from_data(json.loads(CATALOG_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no (or a damaged) data file: derive it from the library instead


def live_catalog() -> Catalog:
    """The catalog derived from the imported library (imports ``olm.nn`` and torch)."""
    return _build_catalog()


def catalog(refresh: bool = False) -> Catalog:
    """The catalog of every `olm.nn` component (built once, then cached).

    Before ``olm.nn`` is imported this is the shipped copy (no torch needed); once it is,
    the catalog is derived from the library itself, so components added at run time
    appear.

    Args:
        refresh (bool): rebuild it from the library (after importing a package that adds
            components).
    """
    if refresh:
        _build_catalog.cache_clear()
        return _build_catalog()
    if _build_catalog.cache_info().currsize or "olm.nn" in sys.modules:
        return _build_catalog()
    shipped = _shipped_catalog()
    return shipped if shipped is not None else _build_catalog()
