"""Training the planned runs and collecting what each actually used.

Each run is an ordinary training run (``olm.train.TrainRun``) with its own folder under
the experiment folder: the trial-scale document it trained, the document it was scaled
from, its events (JSON lines) and its final checkpoint, so any run can be inspected,
resumed or compared later like any other. Runs go seed by seed (every model's seed 0,
then every model's seed 1, ...), so an experiment stopped early still holds complete
pairs. The compute reported is counted from the tokens each run really trained.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from olm.core.errors import OLMError
from olm.experiment.plan import Plan, PlannedModel
from olm.store.layout import EVENTS, ORIGINAL_DOCUMENT, TRIAL_DOCUMENT

__all__ = ["RunResult", "run_plan", "run_folder"]


@dataclass
class RunResult:
    """One finished (or failed) run.

    Args:
        model: the model's name.
        index: the model's position in the plan.
        seed: the run's seed.
        steps: optimizer steps trained.
        tokens: tokens trained (steps x tokens per step, as the run counted them).
        flops: ``tokens x`` the model's training FLOPs per token.
        val_loss: the final validation loss (None if the run failed).
        seconds: wall time of the run, set-up included.
        status: the run's end status ("finished", "failed", "stopped").
        reason: why it did not finish (None when it did).
        folder: the run's folder.
    """

    model: str
    index: int
    seed: int
    steps: int
    tokens: int
    flops: float
    val_loss: float | None
    seconds: float
    status: str
    reason: str | None
    folder: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:60] or "model"


def run_folder(root: Path, index: int, model: PlannedModel, seed: int) -> Path:
    """Where one run's files go: ``ROOT/NN-NAME/seed-S``."""
    return root / f"{index:02d}-{_slug(model.name)}" / f"seed-{seed}"


def _one(plan: Plan, index: int, model: PlannedModel, seed: int, root: Path,
         should_stop: Callable[[], bool]) -> RunResult:
    from olm.graph import save
    from olm.train.events import EndEvent, EventWriter, StepEvent
    from olm.train.run import TrainRun

    folder = run_folder(root, index, model, seed)
    folder.mkdir(parents=True, exist_ok=True)
    save(model.original, folder / ORIGINAL_DOCUMENT)
    save(model.graph, folder / TRIAL_DOCUMENT)
    config = dataclasses.replace(
        plan.config, source=str(folder / TRIAL_DOCUMENT), steps=model.steps, seed=seed,
        out=str(folder), events=str(folder / EVENTS), eval_every=0, checkpoint_every=0,
        sample_every=0, log_every=max(1, model.steps // 20), trial=False, sets=[],
        fit_vocab=False, resume=None, warmup_steps=None)
    start = time.perf_counter()
    tokens, steps, end = 0, 0, None
    with EventWriter(config.events) as writer:
        for event in TrainRun(config):
            writer.write(event)
            if isinstance(event, StepEvent):
                tokens, steps = event.tokens, event.step
            elif isinstance(event, EndEvent):
                end = event
            if should_stop() and end is None:
                break
    seconds = time.perf_counter() - start
    status = end.status if end is not None else "stopped"
    val = end.val_loss if end is not None and status == "finished" else None
    reason = None if status == "finished" else (end.reason if end else "cancelled")
    return RunResult(model.name, index, seed, steps, tokens,
                     float(tokens) * model.flops_per_token, val, seconds, status, reason,
                     str(folder))


def run_plan(plan: Plan, root: str | Path,
             should_stop: Callable[[], bool] = lambda: False,
             deadline: float | None = None) -> Iterator[RunResult]:
    """Train every run of ``plan`` under ``root``, yielding each result as it finishes.

    ``should_stop`` is polled between steps; once it says so the current run ends
    (reported as "stopped") and no further run starts. ``deadline`` (a
    ``time.perf_counter()`` value): when the machine turns out slower than planned and
    the next round of seeds would end past it, the experiment stops after the rounds
    done, provided at least two are (compute stays equal; the note says so).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    last_round = 0.0
    for done, seed in enumerate(plan.seeds):
        now = time.perf_counter()
        if deadline is not None and done >= 2 and now + last_round > deadline:
            plan.notes.append(f"the machine ran slower than measured: stopped after {done} "
                              f"seeds of {len(plan.seeds)} to stay within the budget")
            return
        for index, model in enumerate(plan.models):
            if should_stop():
                return
            try:
                yield _one(plan, index, model, seed, root, should_stop)
            except OLMError as err:
                yield RunResult(model.name, index, seed, 0, 0, 0.0, None, 0.0, "failed",
                                str(err), str(run_folder(root, index, model, seed)))
        last_round = time.perf_counter() - now
