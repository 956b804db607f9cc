"""``build``: check a document, then turn it into a real PyTorch module (the inverse of
:mod:`olm.graph.describe_module`; the module is not called ``build`` so that the package
attribute ``olm.graph.build`` is always the function).

The construction itself is :mod:`olm.graph.builder`'s (shared with :mod:`olm.graph.meta`);
this module adds the checks that come first: validation, variable values and the
component budget.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from olm.core.errors import ConfigError, OLMError
from olm.graph.budget import budget_problem
from olm.graph.builder import Builder, instantiate
from olm.graph.document import Graph
from olm.graph.validate import validate

__all__ = ["build", "instantiate", "Builder"]


def build(graph: Graph, device: str | torch.device | None = None, *, check: bool = True) -> nn.Module:
    """Build the document into a module (``device="meta"`` allocates no weights).

    Args:
        graph (Graph): the document.
        device (str | torch.device | None): where to create parameters; ``None`` uses
            torch's current default device.
        check (bool): refuse a document :func:`~olm.graph.validate` reports errors for.

    Raises:
        OLMError: the document has errors (the message lists them).
    """
    if check:
        errors = [d for d in validate(graph) if d.severity == "error"]
        if errors:
            listed = "; ".join(d.message for d in errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise OLMError(f"the model cannot be built: {listed}{more}")
    env, bad = graph.variable_values()
    if bad:
        raise ConfigError("; ".join(bad.values()))
    too_many = budget_problem(graph, env)  # counted before anything is created
    if too_many:
        raise ConfigError(too_many)
    context = torch.device(device) if device is not None else contextlib.nullcontext()
    with context:
        return Builder(graph, env).build(graph.root)
