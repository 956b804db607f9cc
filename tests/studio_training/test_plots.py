"""Live plots: curves follow the run's buffers, redraws are throttled, many points stay fast."""

import numpy as np
import pytest
from waiting import WAIT_MS

from olm.train.events import StepEvent
from olm_studio.training.history import RunHistory
from olm_studio.training.plots import LivePlots, PlotEntry, compact_number


def _feed(history, start, stop):
    for step in range(start, stop):
        history.feed(StepEvent(step=step, loss=5.0 / step, lr=1e-3, tokens=64 * step,
                               tokens_per_s=1e4, grad_norm=0.5))


@pytest.fixture
def plots(qtbot):
    widget = LivePlots()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    return widget


def test_points_arrive_throttled_not_per_event(qtbot, plots):
    history = RunHistory()
    plots.set_runs([PlotEntry("a", "run a", history)])
    before = plots.redraw_count
    for step in range(1, 501):
        _feed(history, step, step + 1)
        plots.mark_dirty()  # what the panel does on every event
    assert plots.point_count("a") == 0  # nothing drawn synchronously
    qtbot.waitUntil(lambda: plots.point_count("a") == 500, timeout=WAIT_MS)  # a timer fires
    assert plots.redraw_count - before <= 3  # 500 events, one (or a few) redraws


def test_x_axis_toggles_between_steps_and_tokens(plots):
    history = RunHistory()
    _feed(history, 1, 11)
    plots.set_runs([PlotEntry("a", "run a", history)])
    x, _ = plots._curves["a"].train.getOriginalDataset()
    np.testing.assert_array_equal(x, np.arange(1, 11))
    plots.set_x_axis("tokens")
    x, y = plots._curves["a"].train.getOriginalDataset()
    np.testing.assert_array_equal(x, 64 * np.arange(1, 11))
    assert len(y) == 10 and plots.x_choice.currentData() == "tokens"
    with pytest.raises(ValueError, match="axis"):
        plots.set_x_axis("time")


def test_twenty_thousand_points_are_downsampled_when_drawn(qtbot, plots):
    # what keeps a redraw quick is that far fewer points are drawn than held; how quick
    # it is on this machine is a benchmark's business, not a test's
    history = RunHistory()
    _feed(history, 1, 20_001)
    plots.set_runs([PlotEntry("a", "a", history), PlotEntry("b", "b", history)])
    plots.graphics.grab()  # first paint
    _feed(history, 20_001, 20_101)
    plots.refresh()
    plots.graphics.grab()  # a full repaint of all four plots
    assert plots.point_count("a") == 20_100
    shown, _ = plots._curves["a"].train.getData()  # what is drawn, after downsampling
    assert len(shown) < 20_100 / 2


def test_removing_a_run_removes_its_curves_and_legend_entry(plots):
    a, b = RunHistory(), RunHistory()
    _feed(a, 1, 4)
    _feed(b, 1, 4)
    plots.set_runs([PlotEntry("a", "run a", a), PlotEntry("b", "run b", b)])
    assert len(plots.loss_plot.listDataItems()) == 6  # raw + smoothed + val, per run
    assert len(plots.legend.items) == 2
    color_b = plots.color_of("b")
    plots.set_runs([PlotEntry("b", "run b", b)])
    assert plots.keys() == ["b"] and len(plots.loss_plot.listDataItems()) == 3
    assert len(plots.legend.items) == 1 and plots.color_of("b") == color_b


@pytest.mark.parametrize("value, text", [(0, "0"), (20_000, "20k"), (1_500_000, "1.5M"),
                                         (0.0005, "5e-4"), (0.25, "0.25"), (3e9, "3G")])
def test_compact_tick_text(value, text):
    assert compact_number(value) == text


def test_ignore_outliers_scales_to_the_bulk_of_the_curve(plots):
    history = RunHistory()
    history.feed(StepEvent(step=1, loss=30.0))  # the first step's spike
    for step in range(2, 201):
        history.feed(StepEvent(step=step, loss=2.0 + 1.0 / step))
    plots.set_runs([PlotEntry("a", "a", history)])
    low, high = plots.loss_range()
    assert low < 2.01 and high < 3.0  # the spike does not set the scale
    assert plots.loss_plot.getViewBox().viewRange()[1][1] < 3.0
    plots.clip_outliers.setChecked(False)
    assert plots.loss_range() is None
    plots.graphics.grab()
    assert plots.loss_plot.getViewBox().viewRange()[1][1] >= 30.0  # autoscale shows it all
