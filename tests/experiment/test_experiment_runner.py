"""The runner's order and its budget guard, with the training replaced by a stand-in."""

from __future__ import annotations

import olm.experiment.runner as runner
from olm.experiment.plan import Plan, PlannedModel
from olm.experiment.runner import RunResult, run_plan
from olm.train.config import TrainConfig


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


def _plan(seeds: int) -> Plan:
    models = [PlannedModel(n, None, None, 1, 1, 0, 0.1, steps=10) for n in ("a", "b")]
    return Plan(models, list(range(seeds)), "flops", TrainConfig(source="GPT2"), 60.0, 40.0)


def _fake(clock: Clock, seconds: float):
    def one(plan, index, model, seed, root, should_stop):
        clock.now += seconds
        return RunResult(model.name, index, seed, 10, 100, 100.0, 3.0, seconds, "finished",
                         None, str(root))
    return one


def test_runs_go_seed_by_seed(monkeypatch, tmp_path):
    clock = Clock()
    monkeypatch.setattr(runner, "time", clock)
    monkeypatch.setattr(runner, "_one", _fake(clock, 1.0))
    order = [(r.seed, r.model) for r in run_plan(_plan(2), tmp_path)]
    assert order == [(0, "a"), (0, "b"), (1, "a"), (1, "b")]


def test_a_slow_machine_stops_after_whole_rounds_of_seeds(monkeypatch, tmp_path):
    clock = Clock()
    monkeypatch.setattr(runner, "time", clock)
    monkeypatch.setattr(runner, "_one", _fake(clock, 10.0))  # a round takes 20 s
    plan = _plan(4)
    results = list(run_plan(plan, tmp_path, deadline=50.0))  # a third round would end at 60
    assert [r.seed for r in results] == [0, 0, 1, 1]
    assert any("stopped after 2 seeds of 4" in n for n in plan.notes)


def test_stop_request_starts_no_further_run(monkeypatch, tmp_path):
    clock = Clock()
    monkeypatch.setattr(runner, "time", clock)
    monkeypatch.setattr(runner, "_one", _fake(clock, 1.0))
    results = []
    for result in run_plan(_plan(3), tmp_path, should_stop=lambda: len(results) >= 3):
        results.append(result)
    assert len(results) == 3
