"""A lesson's models as an experiment: the start preset and each step's model in turn.

``olm compare --lesson`` measures what each swap of "Modernise GPT-2" buys: the step's
"show me" commands (:mod:`olm.graph.lessons`) are applied cumulatively to the start
preset's document, so model k is the preset with the first k swaps made, exactly as a
person following the lesson would have it.
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import ConfigError

__all__ = ["lesson_models"]


def lesson_models(key: str = "modernise-gpt2") -> list[tuple[str, Any]]:
    """(name, document) for the lesson's start and for each step's model, in order."""
    from olm.graph import from_source
    from olm.graph.lessons import LESSONS

    if key not in LESSONS:
        raise ConfigError(f"no lesson {key!r}; lessons: {', '.join(sorted(LESSONS))}")
    lesson = LESSONS[key]
    graph = from_source(lesson.start)
    out = [(lesson.start, graph.copy())]
    for step in lesson.steps:
        for command in step.show(graph):
            command.do(graph)
        _kv_heads_as_variable(graph)
        out.append((f"+ {step.title}", graph.copy()))
    return out


def _kv_heads_as_variable(graph: Any) -> None:
    """Make a ``num_kv_heads`` the step wrote as a number into a variable, as presets
    have it, so the trial sizing scales it with the heads (it keeps the group ratio)."""
    from olm.graph.commands import SetParam, SetVariable

    literal = [n for n in graph.nodes.values()
               if isinstance(n.params.get("num_kv_heads"), int) and not isinstance(
                   n.params.get("num_kv_heads"), bool)]
    if not literal or "num_kv_heads" in graph.variables or "num_heads" not in graph.variables:
        return
    SetVariable("num_kv_heads", literal[0].params["num_kv_heads"]).do(graph)
    for node in literal:
        if node.params["num_kv_heads"] == graph.variables["num_kv_heads"]:
            SetParam(node.id, "num_kv_heads", {"var": "num_kv_heads"}).do(graph)
