"""The answer to one check request, from JSON in and JSON out (no Qt, no pickles).

A request names its ``kind`` and carries the model as its document (``Graph.to_dict``)
and, for a pre-flight, the run's settings (``TrainConfig.to_json``): what a saved project
and a run record already hold, so a check sees exactly the model the window shows.
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import OLMError

__all__ = ["answer", "KINDS"]

KINDS = ("preflight", "export")


def _preflight(request: dict[str, Any]) -> dict[str, Any]:
    from olm.graph.document import Graph
    from olm.train import TrainConfig
    from olm.train.preflight import preflight

    graph = Graph.from_dict(request["graph"])
    config = TrainConfig.from_json(request["config"])
    problems = preflight(graph, config)
    return {"problems": [{"severity": p.severity, "message": p.message, "fix": p.fix}
                         for p in problems]}


def _export(request: dict[str, Any]) -> dict[str, Any]:
    from olm.graph.document import Graph
    from olm.interop.hf.problems import export_problem

    return {"reason": export_problem(Graph.from_dict(request["graph"]))}


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """``{"problems": [...]}`` or ``{"reason": ...}``, or ``{"error": "one line"}``."""
    kind = request.get("kind")
    try:
        if kind == "preflight":
            return _preflight(request)
        if kind == "export":
            return _export(request)
        return {"error": f"unknown check {kind!r}: expected one of {', '.join(KINDS)}"}
    except OLMError as err:
        return {"error": str(err)}
    except Exception as err:  # noqa: BLE001 - the window shows it; the server keeps serving
        return {"error": f"{type(err).__name__}: {err}"}
