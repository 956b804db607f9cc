"""What a trial-scale run trained, beside the original, and the sizes to carry back.

A run started with "Train at trial scale" holds ``original.olm.json`` and
``trial.olm.json`` in its folder (:mod:`olm.train.trial`). The Train panel shows one line
comparing them and offers "Apply trial sizes", which the main window turns into one
undoable edit of the canvas (a macro of the variable commands). No Qt here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from olm.train.trial import ORIGINAL_DOCUMENT, TRIAL_DOCUMENT

__all__ = ["trial_documents", "trial_summary", "apply_sizes_command"]


def trial_documents(folder: str | Path) -> tuple[Any, Any] | None:
    """(original, trial) documents of a run folder, or None for a full-scale run."""
    from olm.core.errors import OLMError
    from olm.graph import load

    p = Path(folder)
    if not (p / TRIAL_DOCUMENT).is_file() or not (p / ORIGINAL_DOCUMENT).is_file():
        return None
    try:
        return load(p / ORIGINAL_DOCUMENT), load(p / TRIAL_DOCUMENT)
    except (OLMError, OSError, ValueError):
        return None


def trial_summary(original: Any, trial: Any) -> str:
    """One line: parameters of both and the variables that changed."""
    from olm.graph import stats

    env0, env1 = original.variable_values()[0], trial.variable_values()[0]
    changed = ", ".join(f"{k} {env0[k]}→{v}" for k, v in env1.items()
                        if k in env0 and env0[k] != v)
    return (f"Trial scale: {stats(original).total_params:,} → {stats(trial).total_params:,} "
            f"parameters ({changed or 'same sizes'})")


def apply_sizes_command(graph: Any, trial: Any) -> Any | None:
    """One undoable command setting ``graph``'s variables to the trial's (None if equal)."""
    from olm.graph.commands import Macro, SetVariable

    steps = [SetVariable(k, v) for k, v in trial.variables.items()
             if k in graph.variables and graph.variables[k] != v]
    return Macro("apply trial sizes", steps) if steps else None
