"""The experiment pictures and a reopened sweep folder, from JSON written here."""

from __future__ import annotations

import json

from olm.experiment.scaling import PowerLaw
from olm_studio.experiment.dialog import ExperimentDialog
from olm_studio.experiment.plots import ComparisonPlot, curve_points


def test_comparison_plot_draws_each_model_with_runs(qtbot):
    plot = ComparisonPlot()
    qtbot.addWidget(plot)
    plot.set_data({"models": [
        {"name": "a", "val_losses": [3.0, 3.1], "mean": 3.05, "ci95": 0.6},
        {"name": "b", "val_losses": [2.9], "mean": 2.9, "ci95": None},  # N=1: no bar
        {"name": "c", "val_losses": [], "mean": None, "ci95": None}]})  # nothing finished
    assert [m["name"] for m in plot.models] == ["a", "b"]
    ticks = plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [t[1] for t in ticks] == ["a", "b"]


def test_fitted_curve_points_follow_the_fit():
    fit = {"E": 1.5, "A": 200.0, "alpha": 0.2}
    xs, ys = curve_points(fit, 1e9, 1e12, n=5)
    assert xs[0] == 1e9 and abs(xs[-1] - 1e12) / 1e12 < 1e-9
    assert all(abs(y - PowerLaw(**fit)(x)) < 1e-9 for x, y in zip(xs, ys))


def test_a_sweep_folder_reopens_with_its_fit(qtbot, tmp_path):
    curve = PowerLaw(1.8, 300.0, 0.15)
    points = [{"name": f"m{i}", "params": 10 ** (5 + i), "flops": 10.0 ** (10 + i),
               "tokens": 2 * 10 ** (6 + i), "val_loss": curve(10.0 ** (10 + i))}
              for i in range(3)]
    data = {"name": "m", "points": points, "fit": curve.to_json(),
            "predicted": [{"flops": 1e13, "val_loss": curve(1e13)}], "notes": []}
    (tmp_path / "sweep.json").write_text(json.dumps(data))
    dialog = ExperimentDialog(root=tmp_path)
    qtbot.addWidget(dialog)
    dialog.load_folder(tmp_path)
    assert len(dialog.scaling.sweeps) == 1
    assert "0.150" in dialog.verdict.text()
    assert dialog.tabs.currentWidget() is dialog.scaling
