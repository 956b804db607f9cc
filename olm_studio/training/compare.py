"""Comparing two runs: their results, their settings and their architectures.

The curves show *that* two runs differ; this says *why*: the architecture diff of the
exact graphs they trained, and any training setting that was not the same.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from olm.core.errors import OLMError
from olm.graph.diff import Change, diff_graphs
from olm.train.differences import config_differences
from olm_studio.training.history import RunHistory
from olm_studio.training.runs import Run

__all__ = ["Comparison", "compare_runs"]


@dataclass
class Comparison:
    """Two runs side by side.

    Args:
        a: the first run (the "before" side of each change).
        b: the second run.
        history_a: the first run's curves.
        history_b: the second run's curves.
        architecture: what differs between their graphs.
        settings: ``(name, a's value, b's value)`` for each differing setting.
        problem: why the architectures could not be compared, if they could not.
    """

    a: Run
    b: Run
    history_a: RunHistory
    history_b: RunHistory
    architecture: list[Change] = field(default_factory=list)
    settings: list[tuple[str, object, object]] = field(default_factory=list)
    problem: str = ""

    def to_html(self, color_a: str = "#0072B2", color_b: str = "#E69F00") -> str:
        """A short report for the panel's compare box."""
        parts = [_run_line(self.a, self.history_a, color_a),
                 _run_line(self.b, self.history_b, color_b)]
        parts.append("<b>Architecture</b> (first → second):")
        if self.problem:
            parts.append(f"&nbsp;&nbsp;<i>{html.escape(self.problem)}</i>")
        elif not self.architecture:
            parts.append("&nbsp;&nbsp;identical")
        for change in self.architecture:
            parts.append(f"&nbsp;&nbsp;{html.escape(str(change))}")
        parts.append("<b>Settings</b> (first → second):")
        if not self.settings:
            parts.append("&nbsp;&nbsp;identical")
        for name, va, vb in self.settings:
            parts.append(f"&nbsp;&nbsp;{html.escape(name)}: {html.escape(str(va))} → "
                         f"{html.escape(str(vb))}")
        return "<br>".join(parts)


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


def _run_line(run: Run, history: RunHistory, color: str) -> str:
    return (f"<span style='color:{color}'>■</span> <b>{html.escape(run.name)}</b> — "
            f"{html.escape(run.status)}, step {history.last_step}, "
            f"loss {_fmt(history.loss_smooth.last())}, val {_fmt(history.val_loss.last())}")


def compare_runs(a: Run, b: Run, history_a: RunHistory, history_b: RunHistory) -> Comparison:
    """Compare two runs (their graph files are read from their folders)."""
    result = Comparison(a, b, history_a, history_b, settings=config_differences(a.config, b.config))
    try:
        result.architecture = diff_graphs(a.graph(), b.graph())
    except (OLMError, OSError, KeyError, ValueError) as err:
        result.problem = f"cannot read a run's graph: {err}"
    return result
