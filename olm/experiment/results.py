"""An experiment's results: per model mean and interval, differences, verdict, files.

Built only from what the runs actually did (their tokens and final losses), never from
the plan, so every figure shows the compute used. ``to_json`` writes the schema ``olm
compare --json`` promises; :func:`write_experiment` saves it with a Markdown report in
the experiment folder (atomically), and :func:`read_experiment` reads it back.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from olm.core.errors import FileFormatError
from olm.core.files import read_text
from olm.core.limits import MAX_EXPERIMENT_BYTES
from olm.experiment.plan import Plan
from olm.experiment.runner import RunResult
from olm.experiment.stats import difference, mean_interval, sci, swap_verdict, verdict

__all__ = ["ModelSummary", "summarise", "pairwise_differences", "to_json", "table",
           "write_experiment", "read_experiment", "EXPERIMENT_FILE", "REPORT_FILE",
           "write_json_atomic", "public_json"]

EXPERIMENT_FILE = "experiment.json"
REPORT_FILE = "report.md"
_MAX_BYTES = MAX_EXPERIMENT_BYTES


@dataclass
class ModelSummary:
    """One model's runs, summarised."""

    name: str
    params: int
    flops_per_token: int
    kv_bytes_per_token: int
    flops: float
    tokens: float
    val_losses: list[float]
    seeds: list[int]

    @property
    def interval(self):
        return mean_interval(self.val_losses) if self.val_losses else None


def summarise(plan: Plan, results: list[RunResult]) -> list[ModelSummary]:
    """Per model: the losses of its finished runs and the compute they used (their mean)."""
    out = []
    for index, model in enumerate(plan.models):
        done = [r for r in results if r.index == index and r.val_loss is not None]
        done.sort(key=lambda r: r.seed)
        n = max(1, len(done))
        out.append(ModelSummary(
            model.name, model.params, model.flops_per_token, model.kv_bytes_per_token,
            sum(r.flops for r in done) / n, sum(r.tokens for r in done) / n,
            [float(r.val_loss) for r in done], [r.seed for r in done]))
    return out


def _pair(a: ModelSummary, b: ModelSummary) -> tuple[list[float], list[float], bool]:
    """The two models' losses, paired by seed where both have the seed."""
    common = sorted(set(a.seeds) & set(b.seeds))
    if len(common) >= 2 or (common and len(a.seeds) == len(b.seeds) == 1):
        la = [a.val_losses[a.seeds.index(s)] for s in common]
        lb = [b.val_losses[b.seeds.index(s)] for s in common]
        return la, lb, True
    return a.val_losses, b.val_losses, False


def pairwise_differences(models: list[ModelSummary], chain: bool = False) -> list[dict]:
    """Each model against the first (or, with ``chain``, against the one before it)."""
    out = []
    for i, b in enumerate(models[1:], start=1):
        a = models[i - 1] if chain else models[0]
        if not a.val_losses or not b.val_losses:
            out.append({"a": a.name, "b": b.name, "delta": None, "ci95": None,
                        "verdict": f"{b.name} vs {a.name}: no finished runs to compare"})
            continue
        la, lb, paired = _pair(a, b)
        diff = difference(la, lb, paired=paired)
        flops = (a.flops + b.flops) / 2
        out.append({"a": a.name, "b": b.name, "delta": diff.delta, "ci95": diff.half,
                    "paired": diff.paired,
                    "verdict": swap_verdict(b.name, diff, flops) if chain
                    else verdict(a.name, b.name, diff, flops)})
    return out


def to_json(plan: Plan, results: list[RunResult], chain: bool = False) -> dict:
    """``{"models": [...], "differences": [...], "verdict": "..."}`` plus the runs."""
    models = summarise(plan, results)
    diffs = pairwise_differences(models, chain)
    rows = []
    for m in models:
        iv = m.interval
        rows.append({"name": m.name, "params": m.params, "flops": m.flops,
                     "tokens": m.tokens, "val_losses": m.val_losses,
                     "mean": None if iv is None else iv.mean,
                     "ci95": None if iv is None else iv.half,
                     "flops_per_token": m.flops_per_token,
                     "kv_bytes_per_token": m.kv_bytes_per_token})
    text = "; ".join(d["verdict"] for d in diffs) or _single(models)
    return {"models": rows,
            "differences": [{k: d[k] for k in ("a", "b", "delta", "ci95")} for d in diffs],
            "verdict": text, "equal": plan.equal, "seeds": plan.seeds,
            "budget_seconds": plan.budget_seconds, "planned_seconds": plan.planned_seconds,
            "overhead_seconds": plan.overhead_seconds, "notes": plan.notes,
            "runs": [r.to_json() for r in results]}


def public_json(data: dict) -> dict:
    """Exactly the schema ``olm compare --json`` promises (the experiment file has more)."""
    keys = ("name", "params", "flops", "tokens", "val_losses", "mean", "ci95")
    return {"models": [{k: m[k] for k in keys} for m in data["models"]],
            "differences": [{k: d[k] for k in ("a", "b", "delta", "ci95")}
                            for d in data["differences"]],
            "verdict": data["verdict"]}


def _single(models: list[ModelSummary]) -> str:
    if not models or not models[0].val_losses:
        return "no finished runs"
    return f"{models[0].name}: val loss {models[0].interval.text()} nats"


def _fmt(value: float | None, digits: int = 3, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def table(data: dict, chain: bool = False) -> str:
    """The experiment as a plain-text table (one model per row) and its verdicts."""
    diffs = {d["b"]: d for d in data["differences"]}
    head = "change vs previous" if chain else "vs first"
    lines = [f"{'model':<28} {'params':>10} {'FLOPs/tok':>10} {'KV B/tok':>9} {'tokens':>9} "
             f"{'FLOPs used':>10} {'val loss (95% CI)':>20} {head:>22}"]
    for m in data["models"]:
        d = diffs.get(m["name"])
        ci = "-" if m["mean"] is None else (
            f"{m['mean']:.3f} ± {_fmt(m['ci95'])}" if m["ci95"] is not None
            else f"{m['mean']:.3f} (N=1)")
        dd = "" if d is None or d["delta"] is None else (
            f"{d['delta']:+.3f} ± {_fmt(d['ci95'])}")
        lines.append(f"{m['name'][:28]:<28} {m['params']:>10,} {sci(m['flops_per_token']):>10} "
                     f"{m.get('kv_bytes_per_token', 0):>9,} {sci(m['tokens'] or 0):>9} "
                     f"{sci(m['flops'] or 0):>10} {ci:>20} {dd:>22}")
    lines.append("")
    lines.extend(data["verdict"].split("; "))
    lines.extend(f"note: {n}" for n in data.get("notes", []))
    return "\n".join(lines)


def write_json_atomic(path: str | os.PathLike[str], data: dict) -> None:
    """Write ``data`` as JSON to ``path`` through a temporary file and a rename."""
    target = os.fspath(path)
    tmp = f"{target}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, allow_nan=False)
        handle.write("\n")
    os.replace(tmp, target)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_experiment(folder: str | Path, data: dict, title: str = "Comparison",
                     images: list[str] | None = None) -> Path:
    """Save ``data`` as ``experiment.json`` and a Markdown report in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(folder / EXPERIMENT_FILE, data)
    body = [f"# {title}", "", f"Equalised: {data.get('equal', '-')}; seeds: "
            f"{len(data.get('seeds', []))}; 95% t intervals over seeds; compute is what the "
            "runs actually trained.", "", "```", table(data), "```", ""]
    body += [f"![{Path(i).stem}]({i})" for i in images or []]
    _atomic_text(folder / REPORT_FILE, "\n".join(body) + "\n")
    return folder / EXPERIMENT_FILE


def read_experiment(folder: str | Path) -> dict:
    """The ``experiment.json`` of an experiment folder (or the file itself).

    Raises:
        FileFormatError: missing, not a regular file, too large, not UTF-8, not JSON, or
            without ``models`` (one line naming the file and the rule).
    """
    path = Path(folder)
    if path.is_dir():
        path = path / EXPERIMENT_FILE
    if not path.exists():
        raise FileFormatError(f"experiment {path}: no such file")
    text = read_text(path, _MAX_BYTES, "results file")  # bounded; regular files only; UTF-8
    try:
        data = json.loads(text)
    except ValueError as err:
        raise FileFormatError(f"experiment {path} is not valid JSON: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise FileFormatError(f"experiment {path} has no list of models")
    return data
