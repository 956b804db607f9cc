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
        out.append((f"+ {step.title}", graph.copy()))
    return out
