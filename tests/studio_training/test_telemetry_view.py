"""The painted run: colours by metric, layer strips, expert bars, the step slider, two runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from waiting import WAIT_MS

from olm.graph import save
from olm.store import layout
from olm.train import TrainConfig, train_iter
from olm.train.events import EventWriter
from olm_studio.training.telemetry_data import normalise
from olm_studio.training.telemetry_view import MIN_FIT_SCALE, TelemetryCompare, TelemetryView


def _run(tmp_path, tiny, corpus, family: str, name: str, **overrides):
    folder = tmp_path / name
    folder.mkdir()
    graph = tiny.graph(family, vocab_size=256, **overrides)
    save(graph, folder / layout.MODEL_DOCUMENT)
    with EventWriter(folder / layout.EVENTS) as writer:  # what `olm train --events` writes
        for event in train_iter(TrainConfig(
                source=str(folder / layout.MODEL_DOCUMENT), data=str(corpus), steps=6,
                batch_size=2, seq_len=16, eval_every=0, eval_batches=1, threads=1,
                telemetry=2)):
            writer.write(event)
    return folder, graph


@pytest.fixture
def corpus(corpus_file):
    return corpus_file


def test_paints_a_finished_run_and_the_slider_replays_it(qtbot, tmp_path, tiny, corpus):
    folder, graph = _run(tmp_path, tiny, corpus, "llama3", "llama")
    view = TelemetryView()
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    view.load_run(folder)
    assert view.data.steps == [2, 4, 6]
    assert view.slider.maximum() == 2 and view.current_step() == 6
    # every painted node is a node of the run's graph, with its own overlay
    assert view.overlays and set(view.overlays) <= set(graph.nodes)
    assert len(view.heats) == 1  # the Repeat's layers x components map
    attn = next(n.id for n in graph.nodes.values() if n.type == "GroupedQueryAttention")
    # the colour is the viridis colour of the node's value on the run-wide scale
    value = sum(view.data.value(attn, "act_rms", 2)) / 2
    t = normalise(value, view.scale.low, view.scale.high, view.scale.log)
    assert view.node_color(attn).name() == view.scale.color(value).name()
    assert 0.0 <= t <= 1.0
    # moving the slider (keyboard, as a user would) shows an earlier step
    view.slider.setFocus()
    qtbot.keyClick(view.slider, Qt.Key.Key_Home)
    assert view.current_step() == 2 and view.step_label.text() == "step 2"
    assert view.marker.value() == 2
    before = view.node_color(attn).name()
    qtbot.keyClick(view.slider, Qt.Key.Key_End)
    assert view.current_step() == 6
    # another metric recolours with its own scale and legend
    view.set_metric("grad_norm")
    assert view.metric_key == "grad_norm" and view.legend.text[2] == "log"
    assert view.node_color(attn) is not None and isinstance(before, str)
    view.grab()  # paints every overlay without error


def test_clicking_the_loss_plot_moves_the_slider(qtbot, tmp_path, tiny, corpus):
    folder, _ = _run(tmp_path, tiny, corpus, "llama3", "llama")
    view = TelemetryView()
    qtbot.addWidget(view)
    view.resize(900, 800)
    view.show()
    view.load_run(folder)
    qtbot.waitExposed(view, timeout=WAIT_MS)
    vb = view.plot.getPlotItem().vb
    vb.setXRange(1, 6, padding=0)
    centre = vb.viewRect().center()
    scene_pos = vb.mapViewToScene(type(centre)(2.1, centre.y()))
    target = view.plot.mapFromScene(scene_pos)
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(int(target.x()), int(target.y())))
    assert view.current_step() == 2


def test_moe_run_shows_expert_bars_and_two_runs_side_by_side(qtbot, tmp_path, tiny, corpus):
    a, _ = _run(tmp_path, tiny, corpus, "llama3", "a")
    b, graph_b = _run(tmp_path, tiny, corpus, "mixtral", "b")
    both = TelemetryCompare()
    qtbot.addWidget(both)
    both.resize(1400, 800)
    both.show()
    both.load_runs(a, b)
    moe = next(n.id for n in graph_b.nodes.values() if n.type == "SwiGLUMoEFFN")
    assert both.right.overlays[moe].moe
    assert not any(o.moe for o in both.left.overlays.values())
    both.left.slider.setValue(0)
    assert both.right.current_step() == 2
    both.left.set_metric("update_ratio")
    assert both.right.metric_key == "update_ratio"
    both.grab()


def test_studio_runs_collect_telemetry_by_default_and_show_the_cost(qtbot):
    from olm_studio.training.form import SettingsForm

    form = SettingsForm()
    qtbot.addWidget(form)
    assert form.config().telemetry == 10
    assert form.telemetry_cost.text() == "≈0.4% slower"
    form.telemetry.setValue(0)
    assert form.config().telemetry == 0 and form.telemetry_cost.text() == ""
    assert form.telemetry.text() == "off"


def test_train_panel_paints_the_selected_run_and_two_ticked_runs(panel, qtbot, tmp_path, tiny,
                                                                  corpus):
    from olm_studio.training.trial import default_config

    made = []
    for family, name in (("llama3", "Llama run"), ("mixtral", "MoE run")):
        folder, graph = _run(tmp_path, tiny, corpus, family, family)
        run = panel._store.create(family, default_config(), graph, name)
        (run.path / layout.EVENTS).write_bytes((folder / layout.EVENTS).read_bytes())
        run.set_status("finished")
        made.append(run)
    panel._reload_runs()
    panel.show()
    qtbot.waitExposed(panel, timeout=WAIT_MS)
    panel.views.setCurrentWidget(panel.telemetry_tab)
    panel.runs_list.select(made[1].id)
    panel.runs_list.select(made[0].id)  # selecting a run paints it
    assert panel.telemetry_view.data.steps == [2, 4, 6]
    assert set(panel.telemetry_view.overlays) <= set(made[0].graph().nodes)
    assert not panel.paint_side_by_side()  # nothing ticked yet
    panel.set_ticked([made[0].id, made[1].id])
    qtbot.mouseClick(panel.side_by_side_button, Qt.MouseButton.LeftButton)
    both = panel.telemetry_compare
    assert both is not None and both.isVisible()  # in the Telemetry tab, not a window
    assert both.window() is panel.window()
    assert both.left.data.steps == [2, 4, 6] and both.right.data.steps == [2, 4, 6]
    names = {both.left.title.text().split(":")[0], both.right.title.text().split(":")[0]}
    assert names == {"Llama run", "MoE run"}


def test_clicking_the_train_panels_loss_plot_moves_the_telemetry_slider(panel, qtbot, tmp_path,
                                                                       tiny, corpus):
    from olm_studio.training.trial import default_config

    folder, graph = _run(tmp_path, tiny, corpus, "llama3", "llama")
    run = panel._store.create("llama3", default_config(), graph, "Llama run")
    (run.path / layout.EVENTS).write_bytes((folder / layout.EVENTS).read_bytes())
    run.set_status("finished")
    panel._reload_runs()
    panel.show()
    qtbot.waitExposed(panel, timeout=WAIT_MS)
    panel.views.setCurrentWidget(panel.telemetry_tab)
    panel.runs_list.select(run.id)
    assert panel.telemetry_view.current_step() == 6
    panel.views.setCurrentWidget(panel.plots)  # the curves, in the same place
    vb = panel.plots.loss_plot.vb
    vb.setXRange(1, 6, padding=0)
    centre = vb.viewRect().center()
    scene_pos = vb.mapViewToScene(type(centre)(4.2, centre.y()))
    target = panel.plots.graphics.mapFromScene(scene_pos)
    qtbot.mouseClick(panel.plots.graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(int(target.x()), int(target.y())))
    assert panel.telemetry_view.current_step() == 4
    assert panel._step_marker.value() == 4 and panel._step_marker.isVisible()


def test_the_picture_can_be_read(qtbot, tmp_path, tiny, corpus):
    """Issue 27 item 2: fit shows the whole picture (model and heat map), zooms with
    Ctrl+wheel, names the heat map's rows and layers, and the hover card reads a value off
    any cell."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    folder, graph = _run(tmp_path, tiny, corpus, "llama3", "llama", num_layers=3)
    view = TelemetryView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view, timeout=WAIT_MS)
    view.load_run(folder, "Llama run")
    assert view.title.text().startswith("Llama run")
    # fills the pane: the painted model spans most of the view's width or height, at a
    # zoom where its titles can be read, across its whole width (heat map included)
    shown = view.canvas.mapFromScene(view.scene.itemsBoundingRect()).boundingRect()
    port = view.canvas.viewport().rect()
    assert view.canvas.scale_factor() >= MIN_FIT_SCALE - 1e-3
    assert shown.left() >= -1 and shown.right() <= port.right() + 1, (shown, port)
    assert (min(shown.width(), port.width()) >= 0.6 * port.width()
            or min(shown.height(), port.height()) >= 0.6 * port.height()), (shown, port)
    # Ctrl+wheel zooms, like the canvas
    before = view.canvas.scale_factor()
    centre = QPointF(port.center())
    wheel = QWheelEvent(centre, view.canvas.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.canvas.viewport(), wheel)
    assert view.canvas.scale_factor() > before * 1.2
    # the heat map names its rows (components) and numbers its layers
    heat = view.heats[0]
    assert heat.layers == 3
    inside = [graph.nodes[n].type for n in heat.rows]
    assert [label.split(" ")[0] for label in heat.labels] == inside
    assert "GroupedQueryAttention" in inside
    # hovering a cell: the component, the layer, the value now and its history
    row = inside.index("GroupedQueryAttention")
    cell = heat.strip().topLeft() + QPointF(heat.cell_w * 1.5, heat.CELL_H * (row + 0.5))
    assert heat.cell_at(cell) == (row, 1)
    view.show_hover(heat.rows[row], 1, heat.labels[row])
    value = view.data.value(heat.rows[row], view.metric_key, view.index)[1]
    assert "layer 1" in view.hover.text and f"{value:.4g}" in view.hover.text
    assert len(view.hover.history) == len(view.data.steps)


def test_two_runs_side_by_side_share_one_colour_scale(qtbot, tmp_path, tiny, corpus):
    a, _ = _run(tmp_path, tiny, corpus, "llama3", "a")
    b, _ = _run(tmp_path, tiny, corpus, "gpt2", "b")
    both = TelemetryCompare()
    qtbot.addWidget(both)
    both.resize(1200, 700)
    both.show()
    both.load_runs(a, b)
    # one zoom for both graphs, so their sizes compare by eye
    assert both.left.canvas.scale_factor() == both.right.canvas.scale_factor()
    own = [v.own_range() for v in (both.left, both.right)]
    assert own[0][:2] != own[1][:2]  # the two runs' own ranges differ...
    for view in (both.left, both.right):  # ...and both are painted on their union
        assert view.scale.low == min(r[0] for r in own)
        assert view.scale.high == max(r[1] for r in own)


def test_the_painted_graph_follows_the_theme(qtbot, tmp_path, tiny, corpus):
    from olm_studio.theme import apply_theme, canvas_colors

    folder, _ = _run(tmp_path, tiny, corpus, "llama3", "llama")
    app = QApplication.instance()
    view = TelemetryView()
    qtbot.addWidget(view)
    view.show()
    try:
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            QApplication.processEvents()
            view.load_run(folder)
            assert view.theme == theme
            assert view.scene.colors == canvas_colors(theme)
            assert view.canvas._bg.name() == canvas_colors(theme).background
            # the loss plot under the picture too (no black plot in a light window)
            assert view.plot.backgroundBrush().color().name() == canvas_colors(theme).background
    finally:
        apply_theme(app, "dark")
