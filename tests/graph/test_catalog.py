"""The catalog is derived from the library: every exported component, with its parameters."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Literal

import pytest

import olm.nn
from olm.core.capture import Component
from olm.core.errors import OLMError
from olm.graph import catalog
from olm.graph.catalog import REQUIRED


def _exported_components():
    found = set()
    modules = ["olm.nn"] + [f"olm.nn.{m.name}" for m in pkgutil.iter_modules(olm.nn.__path__) if not m.name.startswith("_")]
    for name in modules:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if isinstance(obj, type) and issubclass(obj, Component) and obj.family not in (None, "model"):
                found.add(obj.__name__)
    return found


def test_every_exported_component_is_in_the_catalog():
    assert set(catalog().components) == _exported_components()
    assert {"Block", "Residual", "Repeat", "Parallel", "GroupedQueryAttention", "RMSNorm"} <= set(catalog().components)


def test_palette_groups():
    groups = catalog().groups()
    assert list(groups)[:7] == [
        "Embeddings", "Attention", "Norms", "Feed-forward", "Mixture of Experts", "Structure", "Heads",
    ]
    assert "OutputHead" in [s.name for s in groups["Heads"]]
    assert "SwiGLUMoEFFN" in [s.name for s in groups["Mixture of Experts"]]


def test_parameters_kinds_defaults_ranges_choices_and_docs():
    spec = catalog().get("RMSNorm")
    d_model, eps = spec.params
    assert (d_model.name, d_model.kind, d_model.default, d_model.range) == ("d_model", "int", REQUIRED, (1, 65_536))
    assert (eps.kind, eps.default) == ("float", 1e-5)
    assert d_model.doc == "size of the normalised (last) dimension."
    assert spec.doc.startswith("Root-mean-square normalisation")
    merge = catalog().get("Parallel").param("merge")
    assert merge.kind == "choice" and set(merge.choices) == {"sum", "mean", "concat"}
    head = catalog().get("OutputHead")
    assert head.param("tied_embedding").kind == "module-ref"
    assert head.param("norm").kind == "module"
    assert head.param("bias").kind == "bool"
    activation = catalog().get("ClassicFFN").param("activation_fn")
    assert activation.kind == "choice" and "gelu" in activation.choices


def test_a_new_component_appears_with_no_second_edit(monkeypatch):
    import olm.nn.norms as norms

    class ScaleNorm(Component):
        """Scales by a learned scalar over the L2 norm.

        Args:
            d_model (int): width.
            mode (str): how to scale.
        """

        family = "norm"

        def __init__(self, d_model: int, mode: Literal["l2", "max"] = "l2") -> None:
            super().__init__()

    monkeypatch.setattr(norms, "ScaleNorm", ScaleNorm, raising=False)
    monkeypatch.setattr(norms, "__all__", [*norms.__all__, "ScaleNorm"])
    try:
        spec = catalog(refresh=True).get("ScaleNorm")
        assert spec.group == "Norms" and spec.module == "olm.nn.norms"
        assert spec.param("mode").choices == ("l2", "max")
        assert spec.param("d_model").doc == "width."
    finally:
        monkeypatch.undo()
        catalog(refresh=True)
    assert "ScaleNorm" not in catalog()


def test_same_role_search_and_unknown_names():
    roles = {s.name for s in catalog().same_role("LayerNorm")}
    assert "RMSNorm" in roles and "LayerNorm" not in roles
    assert catalog().search("rmsn")[0].name == "RMSNorm"
    with pytest.raises(OLMError, match="did you mean RMSNorm"):
        catalog().get("RMSNrom")
