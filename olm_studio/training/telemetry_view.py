"""Telemetry painted on the run's own graph: colours, sparklines, heat strips, expert bars.

:class:`TelemetryView` draws a run's saved graph document (read-only, the canvas' own
scene) and lays overlay items over its nodes: each node is tinted by the chosen metric
on a colour-blind-safe map (viridis; log scale optional, legend beside the chooser) with a
sparkline of its history; a node inside a ``Repeat`` gets a layer strip (one cell per
layer) and each ``Repeat`` a layers x components heat map beside its frame, since one
drawn copy stands for every layer; an MoE node shows its expert-load bars (the line marks
the even share 1/E). A step slider replays the run; it is synchronised with the loss plot
beneath it (clicking the plot moves the slider). The Diagnostics list shows what
:func:`olm.train.diagnose.diagnose` found; clicking one selects its node.
:class:`TelemetryCompare` paints two runs side by side, each on its own graph.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from olm.store import layout
from olm.train.diagnose import diagnose
from olm.train.events import read_events
from olm_studio.canvas.scene import GraphScene, SceneInput
from olm_studio.training.telemetry_data import METRICS, RunTelemetry, normalise, scalar

__all__ = ["TelemetryView", "TelemetryCompare", "COLORMAP"]

COLORMAP = "viridis"
"""Perceptually uniform and readable with the common colour-vision deficiencies."""
_CMAP = pg.colormap.get(COLORMAP)
_BAND_H = 12.0


def _color(t: float) -> QColor:
    return _CMAP.map(t, mode="qcolor")


class _Scale:
    """The current metric's colour scale (shared by every overlay of a view)."""

    def __init__(self) -> None:
        self.low, self.high, self.log = 0.0, 1.0, False

    def color(self, value: Any) -> QColor | None:
        v = scalar(value)
        if v is None:
            return None
        return _color(normalise(v, self.low, self.high, self.log))


class _NodeOverlay(QGraphicsItem):
    """Paints one node's telemetry over (and beside) its canvas item."""

    def __init__(self, rect: QRectF, view: TelemetryView, node_id: str, moe: bool) -> None:
        super().__init__()
        self.r, self.view, self.node_id, self.moe = rect, view, node_id, moe
        self.setZValue(10)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:  # noqa: N802
        extra = 90 if self.moe else 0
        return self.r.adjusted(-2, -2, 2 + extra, 2)

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        v, r = self.view, self.r
        value = v.data.value(self.node_id, v.metric_key, v.index)
        band = QRectF(r.left() + 8, r.bottom() - _BAND_H - 3, r.width() * 0.62, _BAND_H)
        spark = QRectF(band.right() + 4, band.top(), r.right() - band.right() - 10, _BAND_H)
        painter.setPen(Qt.PenStyle.NoPen)
        if isinstance(value, list):  # one cell per layer
            cells = [scalar(x) for x in value]
            w = band.width() / max(1, len(cells))
            for i, cell in enumerate(cells):
                colour = v.scale.color(cell)
                painter.setBrush(colour if colour is not None else QColor(128, 128, 128, 60))
                painter.drawRect(QRectF(band.left() + i * w, band.top(), max(w - 1, 1), band.height()))
        else:
            colour = v.scale.color(value)
            if colour is not None:
                painter.setBrush(colour)
                painter.drawRoundedRect(band, 3, 3)
                outline = QColor(colour)
                painter.setPen(QPen(outline, 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(r.adjusted(1.5, 1.5, -1.5, -1.5), 6, 6)
        self._sparkline(painter, spark)
        if self.moe:
            self._bars(painter, QRectF(r.right() + 8, r.top() + 4, 80, r.height() - 8))

    def _sparkline(self, painter: QPainter, rect: QRectF) -> None:
        v = self.view
        history = v.data.history(self.node_id, v.metric_key)
        points = [(i, x) for i, x in enumerate(history) if x is not None]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 90))
        painter.drawRect(rect)
        if len(points) < 2 or rect.width() < 6:
            return
        ys = [normalise(x, v.scale.low, v.scale.high, v.scale.log) for _, x in points]
        n = max(1, len(history) - 1)
        path = QPainterPath()
        for k, ((i, _), y) in enumerate(zip(points, ys)):
            p = QPointF(rect.left() + rect.width() * i / n, rect.bottom() - 1 - (rect.height() - 2) * y)
            path.moveTo(p) if k == 0 else path.lineTo(p)
        painter.setPen(QPen(QColor("#f0f0f0"), 1.2))
        painter.drawPath(path)
        x = rect.left() + rect.width() * v.index / n
        painter.setPen(QPen(QColor("#ff9f1c"), 1.0))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))

    def _bars(self, painter: QPainter, rect: QRectF) -> None:
        load = self.view.data.value(self.node_id, "expert_load", self.view.index)
        if isinstance(load, list) and load and isinstance(load[0], list):  # per layer: mean
            rows = [row for row in load if isinstance(row, list)]
            load = [sum(col) / len(rows) for col in zip(*rows)] if rows else None
        if not isinstance(load, list) or not load:
            return
        painter.setPen(QPen(QColor(128, 128, 128), 1))
        painter.setBrush(QColor(0, 0, 0, 50))
        painter.drawRect(rect)
        e = len(load)
        top = max(max(load), 2.0 / e)
        w = rect.width() / e
        for i, share in enumerate(load):
            h = (rect.height() - 2) * share / top
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_color(min(1.0, share * e / 4)))  # 4/E (overloaded) is the top
            painter.drawRect(QRectF(rect.left() + i * w + 1, rect.bottom() - h, max(w - 2, 1), h))
        even = rect.bottom() - (rect.height() - 2) / e / top
        painter.setPen(QPen(QColor("#ff9f1c"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(rect.left(), even), QPointF(rect.right(), even))


class _RepeatHeat(QGraphicsItem):
    """A layers x components heat map beside the model (columns: layers, rows: the
    components inside one Repeat, labelled by type)."""

    LABEL_W, CELL_H = 150.0, 14.0

    def __init__(self, left: float, top: float, view: TelemetryView, rows: list[str]) -> None:
        super().__init__()
        self.view, self.rows = view, rows
        self.r = QRectF(left, top, self.LABEL_W + 220, self.CELL_H * len(rows) + 20)
        self.setZValue(10)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.r.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        v, r = self.view, self.r
        painter.setPen(QPen(QColor(v.scene.colors.frame), 1))
        painter.setBrush(QColor(v.scene.colors.frame_fill))
        painter.drawRoundedRect(r.adjusted(-8, -6, 8, 6), 6, 6)
        painter.setPen(QColor(v.scene.colors.text))
        painter.drawText(QRectF(r.left(), r.top(), r.width(), 16), Qt.AlignmentFlag.AlignLeft,
                         f"layers × {METRICS.get(v.metric_key, v.metric_key)}")
        strip = QRectF(r.left() + self.LABEL_W, r.top() + 18, r.width() - self.LABEL_W,
                       self.CELL_H * len(self.rows))
        for row, node_id in enumerate(self.rows):
            y = strip.top() + self.CELL_H * row
            painter.setPen(QColor(v.scene.colors.dim_text))
            painter.drawText(QRectF(r.left(), y, self.LABEL_W - 6, self.CELL_H),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             v.graph.nodes[node_id].type)
            value = v.data.value(node_id, v.metric_key, v.index)
            cells = value if isinstance(value, list) else []
            w = strip.width() / max(1, len(cells))
            for i, cell in enumerate(cells):
                colour = v.scale.color(cell)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour if colour is not None else QColor(128, 128, 128, 40))
                painter.drawRect(QRectF(strip.left() + i * w, y, max(w - 1, 1), self.CELL_H - 1))


class _Legend(QWidget):
    """The colour bar with the scale's ends (and 'log' when logarithmic)."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ("", "", "")
        self.low, self.bar, self.high = QLabel(), QLabel(), QLabel()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for label in (self.low, self.bar, self.high):
            row.addWidget(label)
        image = QImage(120, 14, QImage.Format.Format_RGB32)
        for x in range(120):
            colour = _color(x / 119)
            for y in range(14):
                image.setPixelColor(x, y, colour)
        self.bar.setPixmap(QPixmap.fromImage(image))

    def set_scale(self, low: float, high: float, log: bool) -> None:
        self.text = (f"{low:.3g}", f"{high:.3g}", "log" if log else "linear")
        self.low.setText(self.text[0])
        self.high.setText(f"{self.text[1]} ({self.text[2]})")
        self.setToolTip(f"{COLORMAP} colour map, {self.text[2]} scale from {self.text[0]} to "
                        f"{self.text[1]}")


class TelemetryView(QWidget):
    """One run's telemetry painted on its graph, with slider, loss plot and diagnostics.

    Signals:
        step_changed(int): the slider moved to this optimizer step.
    """

    step_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, theme: str = "dark") -> None:
        super().__init__(parent)
        self.data = RunTelemetry([])
        self.graph: Any = None
        self.metric_key = "act_rms"
        self.index = 0
        self.scale = _Scale()
        self.overlays: dict[str, _NodeOverlay] = {}
        self.heats: list[_RepeatHeat] = []
        self.scene = GraphScene(theme)
        self.canvas = QGraphicsView(self.scene)
        self.canvas.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.title = QLabel("No run")
        self.metric_box = QComboBox()
        self.log_box = QCheckBox("Log scale")
        self.log_box.setChecked(True)
        self.legend = _Legend()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.step_label = QLabel("step –")
        self.plot = pg.PlotWidget()
        self.plot.setMaximumHeight(150)
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss")
        self.loss_curve = self.plot.plot([], [])
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#ff9f1c"))
        self.plot.addItem(self.marker)
        self.diagnostics = QListWidget()
        self.diagnostics.setMaximumHeight(120)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Colour by"))
        top.addWidget(self.metric_box)
        top.addWidget(self.log_box)
        top.addWidget(self.legend)
        steps = QHBoxLayout()
        steps.addWidget(self.slider, 1)
        steps.addWidget(self.step_label)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.canvas, 1)
        box.addLayout(steps)
        box.addWidget(self.plot)
        box.addWidget(QLabel("Diagnostics"))
        box.addWidget(self.diagnostics)

        self.metric_box.currentIndexChanged.connect(self._on_metric)
        self.log_box.toggled.connect(lambda _on: self._rescale())
        self.slider.valueChanged.connect(self._on_slider)
        self.plot.scene().sigMouseClicked.connect(self._on_plot_click)
        self.diagnostics.itemClicked.connect(self._on_diagnostic)

    # -- loading -------------------------------------------------------------------------
    def load_run(self, folder: str | Path, name: str | None = None) -> None:
        """Paint the run in ``folder`` (its ``model.olm.json`` and ``events.jsonl``)."""
        from olm.graph import load

        folder = Path(folder)
        graph = load(folder / layout.MODEL_DOCUMENT)
        self.set_run(graph, read_events(folder / layout.EVENTS), name or folder.name)

    def set_run(self, graph: Any, events: list[Any], name: str = "") -> None:
        """Paint ``events`` on ``graph`` (the document the run trained)."""
        self.graph = graph
        self.data = RunTelemetry(events)
        self.title.setText(f"{name or graph.name}: {len(self.data)} telemetry collections")
        self._build_scene()
        metrics = self.data.metrics()
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        for m in metrics:
            self.metric_box.addItem(METRICS[m], m)
        self.metric_box.blockSignals(False)
        self.metric_key = metrics[0] if metrics else "act_rms"
        self.slider.setEnabled(len(self.data) > 0)
        self.slider.setRange(0, max(0, len(self.data) - 1))
        self.slider.setValue(max(0, len(self.data) - 1))
        steps, losses = zip(*self.data.losses) if self.data.losses else ((), ())
        self.loss_curve.setData(list(steps), list(losses))
        self.diagnostics.clear()
        for d in diagnose(events, graph):
            item = QListWidgetItem(d.message)
            item.setData(Qt.ItemDataRole.UserRole, d.node_id)
            item.setToolTip(f"{d.code} · step {d.step}" + ("" if d.layer is None
                                                            else f" · layer {d.layer}"))
            self.diagnostics.addItem(item)
        if not self.diagnostics.count():
            self.diagnostics.addItem("No problems seen in the telemetry." if len(self.data)
                                     else "This run collected no telemetry.")
        self._rescale()
        self._on_slider(self.slider.value())

    def _build_scene(self) -> None:
        from olm.graph.stats import stats
        from olm_studio.controller import DocumentController

        graph = self.graph
        try:
            counts = {k: v.params for k, v in stats(graph).nodes.items()}
        except Exception:  # noqa: BLE001 - a broken document is still shown, without counts
            counts = {}
        self.scene.rebuild(SceneInput(graph, graph.variable_values()[0], counts, {},
                                      DocumentController.family_of, DocumentController.doc_of))
        self.overlays, self.heats = {}, []
        reported = self.data.nodes()
        model_right = self.scene.itemsBoundingRect().right() + 16
        for node_id in reported:
            items = self.scene.items_by_id.get(node_id, [])
            if not items or node_id not in graph.nodes:
                continue
            item = items[0]
            rect = item.mapRectToScene(item.rect()) if hasattr(item, "rect") else \
                item.sceneBoundingRect()
            node = graph.nodes[node_id]
            if node.is_container:
                if node.type == "Repeat":
                    rows = [n for n in graph.subtree(node_id)
                            if n != node_id and n in reported and not graph.nodes[n].is_container]
                    heat = _RepeatHeat(model_right, rect.top(), self, rows)
                    self.scene.addItem(heat)
                    self.heats.append(heat)
                continue
            moe = any("expert_load" in frame.get(node_id, {}) for frame in self.data.frames[:1])
            overlay = _NodeOverlay(rect, self, node_id, moe)
            self.scene.addItem(overlay)
            self.overlays[node_id] = overlay
        rect = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        self.scene.setSceneRect(rect)
        self.canvas.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    # -- interaction -----------------------------------------------------------------------
    def set_metric(self, metric: str) -> None:
        """Colour by ``metric`` (a key of :data:`METRICS` this run has)."""
        index = self.metric_box.findData(metric)
        if index >= 0:
            self.metric_box.setCurrentIndex(index)

    def set_step(self, step: int) -> None:
        """Move the slider to the collection nearest optimizer step ``step``."""
        self.slider.setValue(self.data.index_of(step))

    def current_step(self) -> int | None:
        """The optimizer step the canvas shows (None without telemetry)."""
        return self.data.steps[self.index] if self.data.steps else None

    def node_color(self, node_id: str) -> QColor | None:
        """The colour node ``node_id`` is painted now (its layers' mean inside a Repeat)."""
        return self.scale.color(self.data.value(node_id, self.metric_key, self.index))

    def _on_metric(self, index: int) -> None:
        self.metric_key = self.metric_box.itemData(index) or self.metric_key
        self._rescale()

    def _rescale(self) -> None:
        log = self.log_box.isChecked()
        bounds = self.data.range(self.metric_key, log) or self.data.range(self.metric_key, False)
        if bounds is not None and log and bounds[0] <= 0:
            log = False
        low, high = bounds or (0.0, 1.0)
        self.scale.low, self.scale.high, self.scale.log = low, high, log
        self.legend.set_scale(low, high, log)
        self._repaint()

    def _on_slider(self, index: int) -> None:
        self.index = index
        step = self.current_step()
        self.step_label.setText("step –" if step is None else f"step {step}")
        if step is not None:
            self.marker.setValue(step)
            self.step_changed.emit(step)
        self._repaint()

    def _repaint(self) -> None:
        for item in [*self.overlays.values(), *self.heats]:
            item.update()

    def _on_plot_click(self, event: Any) -> None:
        vb = self.plot.getPlotItem().vb
        point = vb.mapSceneToView(event.scenePos())
        if math.isfinite(point.x()):
            self.set_step(int(round(point.x())))

    def _on_diagnostic(self, item: QListWidgetItem) -> None:
        node_id = item.data(Qt.ItemDataRole.UserRole)
        if node_id in self.scene.items_by_id:
            self.scene.select_ids([node_id])


class TelemetryCompare(QSplitter):
    """Two runs painted side by side on their own graphs (metric and step kept in step)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.left, self.right = TelemetryView(), TelemetryView()
        self.addWidget(self.left)
        self.addWidget(self.right)
        self.left.step_changed.connect(self._follow)
        self.left.metric_box.currentIndexChanged.connect(
            lambda _i: self.right.set_metric(self.left.metric_key))

    def load_runs(self, a: str | Path, b: str | Path, names: tuple[str, str] | None = None) -> None:
        """Paint run folder ``a`` on the left and ``b`` on the right."""
        self.left.load_run(a, names[0] if names else None)
        self.right.load_run(b, names[1] if names else None)
        self.right.set_metric(self.left.metric_key)

    def _follow(self, step: int) -> None:
        if self.right.data.steps:
            self.right.set_step(step)
