"""Issue 12 item 7: a Train workspace with readable plots, overlays against a baseline,
and docks that a title drag cannot undock by accident."""

import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QGraphicsView


def _press(window, qtbot, key):
    window.canvas.view.setFocus()
    qtbot.keyClick(window.canvas.view if window.workspace() == "design" else window,
                   key, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def _runs(window, h, count=3):
    """``count`` finished runs in the Train panel's folder, as `olm train` leaves them."""
    import dataclasses

    from olm_studio.training.trial import default_config

    panel = window.train
    store = panel._store
    made = []
    for k in range(count):
        graph = h.tiny_graph()
        graph.name = f"run{k}"
        config = dataclasses.replace(default_config(), lr=1e-3 * (k + 1))
        run = store.create(graph.name, config, graph)
        lines = [{"event": "start", "steps": 20}]
        lines += [{"event": "step", "step": s, "loss": 5.0 - 0.1 * s * (k + 1), "lr": 1e-3,
                   "tokens": 64 * s, "tokens_per_s": 1000.0 + s, "grad_norm": 1.0}
                  for s in range(1, 21)]
        lines.append({"event": "end", "status": "finished", "step": 20})
        run.events_path.write_text("".join(json.dumps(e) + "\n" for e in lines))
        run.set_status("finished")
        made.append(run)
    panel._reload_runs()
    return made


def test_ctrl_2_and_ctrl_1_switch_workspaces(small_window, qtbot):
    w = small_window
    assert w.workspace() == "design" and w.palette_dock.isVisible()
    w.palette_dock.hide()  # a Design layout choice that must survive the round trip
    _press(w, qtbot, Qt.Key.Key_2)
    assert w.workspace() == "train"
    assert w.workspaces.currentWidget() is w.train and w.train.isVisible()
    assert not w.inspector_dock.isVisible() and not w.bottom_dock.isVisible()
    # no thumbnail of the canvas nobody can read (issue 27): the telemetry is the picture
    assert not [v for v in w.train.findChildren(QGraphicsView) if v.isVisible()
                and v.width() < 400 and v.height() < 300]
    assert w.train.graph() is w.controller.graph
    _press(w, qtbot, Qt.Key.Key_1)
    assert w.workspace() == "design" and w.canvas.isVisible()
    assert w.inspector_dock.isVisible() and w.bottom_dock.isVisible()
    assert not w.palette_dock.isVisible()
    # The toolbar carries both.
    texts = [a.iconText() for a in w.toolbar.actions()]
    assert "Design" in texts and "▶ Train" in texts
    w.actions_by_key["train_space"].trigger()
    assert w.workspace() == "train"


def test_plots_are_readable_at_1280x800_and_the_legend_covers_nothing(small_window, h, qtbot):
    w = small_window
    runs = _runs(w, h, 3)
    w.set_workspace("train")
    w.train.set_ticked([r.id for r in runs])
    QApplication.processEvents()
    plots = w.train.plots
    loss = plots.loss_plot.getViewBox()
    assert loss.height() >= 220 and loss.width() >= 300, (loss.width(), loss.height())
    for plot in (plots.lr_plot, plots.tps_plot, plots.grad_plot):
        box = plot.getViewBox()
        assert box.height() >= 90 and box.width() >= 90, (plot.titleLabel.text, box.size())
    # The legend is a row of its own, above the plots, naming every run.
    assert plots.legend.isVisible()
    assert plots.legend.geometry().bottom() <= plots.graphics.geometry().top()
    labels = [label for _k, label in plots.legend.items]
    assert [label.split(" ")[0] for label in labels] == ["run0", "run1", "run2"]
    assert not any(type(i).__name__ == "LegendItem" for i in plots.loss_plot.items)


def test_any_number_of_runs_overlay_against_a_chosen_baseline(small_window, h):
    w = small_window
    runs = _runs(w, h, 3)
    w.set_workspace("train")
    panel = w.train
    panel.set_ticked([r.id for r in runs])
    assert sorted(panel.plots.keys()) == sorted(r.id for r in runs)
    tab = panel.runs_tab
    assert tab.baseline() == runs[0].id
    text = panel.compare_text()
    assert text.count("Settings (first → second)") == 2  # each other run vs the baseline
    assert "lr: 0.001 → 0.002" in text and "lr: 0.001 → 0.003" in text
    tab.set_baseline(runs[2].id)
    text = panel.compare_text()
    assert "lr: 0.003 → 0.001" in text and "lr: 0.003 → 0.002" in text
    assert "(baseline)" in panel.plots.legend.text() and panel.plots.baseline == runs[2].id
    # Unticking the baseline falls back to another ticked run.
    panel.set_ticked([runs[0].id, runs[1].id])
    assert tab.baseline() == runs[0].id


def test_docks_do_not_undock_by_a_title_drag(small_window, qtbot):
    w = small_window
    dock = w.inspector_dock
    assert not dock.features() & QDockWidget.DockWidgetFeature.DockWidgetFloatable
    assert not dock.features() & QDockWidget.DockWidgetFeature.DockWidgetMovable
    title = QPoint(dock.width() // 2, 8)
    qtbot.mousePress(dock, Qt.MouseButton.LeftButton, pos=title)
    for dx in (10, 40, 120, 300):
        qtbot.mouseMove(dock, QPoint(title.x() - dx, title.y() + dx // 3))
    qtbot.mouseRelease(dock, Qt.MouseButton.LeftButton, pos=QPoint(title.x() - 300, 108))
    assert not dock.isFloating()
    # Unlocking is deliberate: View → Panels → Lock Panels.
    w.actions_by_key["lock_panels"].trigger()
    assert dock.features() & QDockWidget.DockWidgetFeature.DockWidgetFloatable
    w.actions_by_key["lock_panels"].trigger()
    assert not dock.features() & QDockWidget.DockWidgetFeature.DockWidgetMovable
