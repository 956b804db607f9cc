"""The runs comparison lists the settings olm.train.differences calls differences."""

from olm.train import TrainConfig
from olm.train.differences import PLACES, config_differences
from olm_studio.training.compare import compare_runs
from olm_studio.training.history import RunHistory
from olm_studio.training.runs import Run


def test_the_comparison_shows_olms_differences_and_never_places(tmp_path):
    a = TrainConfig(source="a.py", out=str(tmp_path / "a"), events=str(tmp_path / "a.jsonl"))
    b = TrainConfig(source="b.py", out=str(tmp_path / "b"), events=str(tmp_path / "b.jsonl"),
                    steps=a.steps * 2)
    run_a, run_b = Run(tmp_path / "a", "A", a), Run(tmp_path / "b", "B", b)
    result = compare_runs(run_a, run_b, RunHistory(), RunHistory())
    assert result.settings == config_differences(a, b)
    names = {name for name, _, _ in result.settings}
    assert "steps" in names and not names & set(PLACES)
