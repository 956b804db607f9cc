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
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from olm.store import layout
from olm.train.diagnose import diagnose
from olm.train.events import read_events
from olm_studio.canvas.scene import GraphScene, SceneInput
from olm_studio.canvas.view import CanvasView
from olm_studio.theme import canvas_colors
from olm_studio.training.command_bar import ElidedLabel
from olm_studio.training.telemetry_data import METRICS, RunTelemetry, normalise, scalar

__all__ = ["TelemetryView", "TelemetryCompare", "COLORMAP", "app_theme"]

COLORMAP = "viridis"
"""Perceptually uniform and readable with the common colour-vision deficiencies."""
_CMAP = pg.colormap.get(COLORMAP)
_BAND_H = 12.0
MIN_FIT_SCALE = 0.6
"""Below this zoom node titles stop being legible (see :meth:`TelemetryView.fit`)."""
_SCROLLBAR_ROOM = 40  # px kept free when fitting the width: a vertical scroll bar appears

NARROW = 560
"""Below this pane width (px) the diagnostics go under the loss plot, not beside it."""


def _color(t: float) -> QColor:
    return _CMAP.map(t, mode="qcolor")


def app_theme() -> str:
    """"dark" or "light", from the application's window colour (so the painted graph
    follows the theme the window shows)."""
    app = QApplication.instance()
    if app is None:
        return "dark"
    return "dark" if app.palette().window().color().lightness() < 128 else "light"


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
        self.setAcceptHoverEvents(True)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.view.show_hover(self.node_id)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.view.show_hover(None)

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
        colors = v.scene.colors
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colors.frame_fill))
        painter.drawRect(rect)
        if len(points) < 2 or rect.width() < 6:
            return
        ys = [normalise(x, v.scale.low, v.scale.high, v.scale.log) for _, x in points]
        n = max(1, len(history) - 1)
        path = QPainterPath()
        for k, ((i, _), y) in enumerate(zip(points, ys)):
            p = QPointF(rect.left() + rect.width() * i / n, rect.bottom() - 1 - (rect.height() - 2) * y)
            path.moveTo(p) if k == 0 else path.lineTo(p)
        painter.setPen(QPen(QColor(colors.text), 1.2))
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
    """A layers x components heat map beside the model: one column per layer (numbered
    underneath), one row per component inside the Repeat (named), and the colour scale
    with its ends at the right, so "which layer's which component, how much" reads off it.
    """

    CELL_H, BAR_W = 22.0, 16.0

    def __init__(self, left: float, top: float, view: TelemetryView, rows: list[str]) -> None:
        super().__init__()
        self.view, self.rows = view, rows
        self.layers = max([len(v) for v in (view.data.value(n, view.metric_key, 0)
                                            for n in rows) if isinstance(v, list)] or [1])
        self.cell_w = max(12.0, min(48.0, 480.0 / self.layers))
        self.labels = self._row_labels()
        self.font = QFont(QApplication.font())  # measured and drawn with the same font
        metrics = QFontMetricsF(self.font)
        self.LABEL_W = max([metrics.horizontalAdvance(t) for t in self.labels] or [40]) + 16
        width = self.LABEL_W + self.cell_w * self.layers + 20 + self.BAR_W + 60
        title = metrics.horizontalAdvance(f"{METRICS.get(view.metric_key, '')} by layer "
                                          "(step 000000)")
        self.r = QRectF(left, top, max(width, title + 40, 260.0), self.CELL_H * len(rows) + 44)
        self.setZValue(10)
        self.setAcceptHoverEvents(True)

    def _row_labels(self) -> list[str]:
        """Each row's component name; repeated types are numbered ("RMSNorm 2")."""
        nodes = self.view.graph.nodes
        types = [nodes[n].type for n in self.rows]
        seen: dict[str, int] = {}
        out = []
        for t in types:
            seen[t] = seen.get(t, 0) + 1
            out.append(f"{t} {seen[t]}" if types.count(t) > 1 else t)
        return out

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.r.adjusted(-10, -8, 10, 8)

    def strip(self) -> QRectF:
        """The cells' rectangle."""
        r = self.r
        return QRectF(r.left() + self.LABEL_W, r.top() + 20, self.cell_w * self.layers,
                      self.CELL_H * len(self.rows))

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """(row, layer) under ``pos`` (item coordinates), or None."""
        strip = self.strip()
        if not strip.contains(pos):
            return None
        return (int((pos.y() - strip.top()) // self.CELL_H),
                int((pos.x() - strip.left()) // self.cell_w))

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        cell = self.cell_at(event.pos())
        if cell is None or cell[0] >= len(self.rows):
            self.view.show_hover(None)
        else:
            self.view.show_hover(self.rows[cell[0]], cell[1], self.labels[cell[0]])

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:  # noqa: N802
        self.view.show_hover(None)

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        v, r, colors = self.view, self.r, self.view.scene.colors
        painter.setFont(self.font)
        painter.setPen(QPen(QColor(colors.frame), 1))
        painter.setBrush(QColor(colors.frame_fill))
        painter.drawRoundedRect(r.adjusted(-8, -6, 8, 6), 6, 6)
        painter.setPen(QColor(colors.text))
        painter.drawText(QRectF(r.left(), r.top(), r.width(), 16), Qt.AlignmentFlag.AlignLeft,
                         f"{METRICS.get(v.metric_key, v.metric_key)} by layer "
                         f"(step {v.current_step() if v.current_step() is not None else '–'})")
        strip = self.strip()
        for row, node_id in enumerate(self.rows):
            y = strip.top() + self.CELL_H * row
            painter.setPen(QColor(colors.dim_text))
            painter.drawText(QRectF(r.left(), y, self.LABEL_W - 6, self.CELL_H),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.labels[row])
            value = v.data.value(node_id, v.metric_key, v.index)
            cells = value if isinstance(value, list) else []
            painter.setPen(Qt.PenStyle.NoPen)
            for i, cell in enumerate(cells):
                colour = v.scale.color(cell)
                painter.setBrush(colour if colour is not None else QColor(128, 128, 128, 40))
                painter.drawRect(QRectF(strip.left() + i * self.cell_w, y,
                                        max(self.cell_w - 1, 1), self.CELL_H - 1))
        self._layer_numbers(painter, strip)
        self._colour_bar(painter, QRectF(strip.right() + 20, strip.top(), self.BAR_W,
                                         max(strip.height(), 40)))

    def _layer_numbers(self, painter: QPainter, strip: QRectF) -> None:
        painter.setPen(QColor(self.view.scene.colors.dim_text))
        every = max(1, int(28 // self.cell_w) + 1)
        for i in range(0, self.layers, every):
            painter.drawText(QRectF(strip.left() + i * self.cell_w - 10, strip.bottom() + 2,
                                    self.cell_w + 20, 14), Qt.AlignmentFlag.AlignHCenter, str(i))
        painter.drawText(QRectF(self.r.left(), strip.bottom() + 2, self.LABEL_W - 6, 14),
                         Qt.AlignmentFlag.AlignRight, "layer")

    def _colour_bar(self, painter: QPainter, bar: QRectF) -> None:
        scale = self.view.scale
        n = 32
        painter.setPen(Qt.PenStyle.NoPen)
        for k in range(n):
            painter.setBrush(_color(1 - k / (n - 1)))
            painter.drawRect(QRectF(bar.left(), bar.top() + bar.height() * k / n, bar.width(),
                                    bar.height() / n + 1))
        painter.setPen(QColor(self.view.scene.colors.dim_text))
        painter.drawText(QRectF(bar.right() + 4, bar.top() - 2, 60, 14),
                         Qt.AlignmentFlag.AlignLeft, f"{scale.high:.3g}")
        painter.drawText(QRectF(bar.right() + 4, bar.bottom() - 12, 60, 14),
                         Qt.AlignmentFlag.AlignLeft, f"{scale.low:.3g}")
        if scale.log:
            painter.drawText(QRectF(bar.right() + 4, bar.center().y() - 7, 60, 14),
                             Qt.AlignmentFlag.AlignLeft, "log")


class _HoverCard(QWidget):
    """What is under the mouse: the component, its value now and its whole history as a
    sparkline (with the step shown marked)."""

    def __init__(self, view: TelemetryView) -> None:
        super().__init__()
        self.view = view
        self.text = "Hover a component to read its value."
        self.history: list[float | None] = []
        self.setMinimumHeight(44)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, 44)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, 44)

    def set(self, text: str, history: list[float | None]) -> None:
        self.text, self.history = text, history
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        spark_w = min(260.0, self.width() * 0.4)
        text_rect = QRectF(4, 0, self.width() - spark_w - 12, self.height())
        painter.setPen(pal.windowText().color())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                         self.text)
        rect = QRectF(self.width() - spark_w - 4, 4, spark_w, self.height() - 8)
        points = [(i, x) for i, x in enumerate(self.history) if x is not None]
        if len(points) < 2:
            return
        v = self.view
        painter.setPen(QPen(pal.mid().color(), 1))
        painter.drawRect(rect)
        n = max(1, len(self.history) - 1)
        path = QPainterPath()
        for k, (i, x) in enumerate(points):
            y = normalise(x, v.scale.low, v.scale.high, v.scale.log)
            p = QPointF(rect.left() + rect.width() * i / n, rect.bottom() - 2 - (rect.height() - 4) * y)
            path.moveTo(p) if k == 0 else path.lineTo(p)
        painter.setPen(QPen(pal.windowText().color(), 1.4))
        painter.drawPath(path)
        x = rect.left() + rect.width() * v.index / n
        painter.setPen(QPen(QColor("#ff9f1c"), 1.5))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))


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
        image = QImage(72, 14, QImage.Format.Format_RGB32)
        for x in range(72):
            colour = _color(x / 71)
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
    refitted = Signal()  # the canvas changed size and the picture was fitted to it again

    def __init__(self, parent: QWidget | None = None, theme: str | None = None) -> None:
        super().__init__(parent)
        self.data = RunTelemetry([])
        self.graph: Any = None
        self.metric_key = "act_rms"
        self.index = 0
        self.scale = _Scale()
        self.shared: tuple[float, float, bool] | None = None  # a scale set by a comparison
        self.overlays: dict[str, _NodeOverlay] = {}
        self.heats: list[_RepeatHeat] = []
        self.theme = theme or app_theme()
        self._follow_theme = theme is None
        self.scene = GraphScene(self.theme)
        self.canvas = CanvasView(self.scene)
        self.canvas.setInteractive(True)
        self.canvas.setDragMode(CanvasView.DragMode.ScrollHandDrag)  # drag pans, as on a map
        self.canvas.setToolTip("Ctrl+wheel zooms, drag pans, F fits")
        self.canvas.minimap.hide()  # a copy of the picture in its own corner only hides it
        self._fitting = False
        self.canvas.viewport().installEventFilter(self)  # refit when the canvas is resized
        self.title = ElidedLabel("No run selected")  # the count is dropped before the name
        self.title.setObjectName("telemetryTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.metric_box = QComboBox()
        self.metric_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.metric_box.setMinimumContentsLength(10)
        self.log_box = QCheckBox("Log scale")
        self.log_box.setChecked(True)
        self.legend = _Legend()
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show the whole model and its heat maps (F); "
                                   "Ctrl+wheel zooms in")
        self.fit_button.clicked.connect(self.fit)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.step_label = QLabel("step –")
        self.hover = _HoverCard(self)
        self.plot = pg.PlotWidget()
        self.plot.setMaximumHeight(130)
        self.plot.setMinimumHeight(60)
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss")
        self.loss_curve = self.plot.plot([], [])
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#ff9f1c"))
        self.plot.addItem(self.marker)
        self._theme_canvas()
        self.diagnostics = QListWidget()
        self.diagnostics.setMaximumHeight(130)
        self.diagnostics.setWordWrap(True)  # whole sentences, wrapped, scrolled vertically
        self.diagnostics.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.diagnostics.setResizeMode(QListWidget.ResizeMode.Adjust)  # re-wrap on resize
        self.diagnostics.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.diagnostics.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        heading = QHBoxLayout()  # the run's name on a row of its own, never cut by controls
        heading.addWidget(self.title, 1)
        heading.addWidget(self.fit_button)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Colour by"))
        chooser.addWidget(self.metric_box)
        chooser.addWidget(self.log_box)
        chooser.addStretch(1)
        steps = QHBoxLayout()  # the step and the colour scale, read together
        steps.addWidget(self.slider, 1)
        steps.addWidget(self.step_label)
        steps.addWidget(self.legend)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addLayout(heading)
        box.addLayout(chooser)
        box.addWidget(self.canvas, 1)
        box.addWidget(self.hover)
        box.addLayout(steps)
        self.lower = QSplitter(Qt.Orientation.Horizontal)  # below each other when narrow
        self.lower.addWidget(self.plot)
        self.lower.addWidget(self.diagnostics)
        self.lower.setChildrenCollapsible(False)
        self.lower.setStretchFactor(0, 1)
        self.lower.setStretchFactor(1, 1)
        box.addWidget(self.lower)

        self.metric_box.currentIndexChanged.connect(self._on_metric)
        self.log_box.toggled.connect(lambda _on: self._rescale())
        self.slider.valueChanged.connect(self._on_slider)
        self.plot.scene().sigMouseClicked.connect(self._on_plot_click)
        self.diagnostics.itemClicked.connect(self._on_diagnostic)

    def _theme_canvas(self) -> None:
        colors = self.scene.colors
        self.canvas.set_background(colors.background, colors.grid)
        text = QColor(colors.text)
        self.plot.setBackground(QColor(colors.background))
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.loss_curve.setPen(pg.mkPen(text))

    def set_theme(self, theme: str) -> None:
        """Paint in ``theme`` ("dark" or "light"), keeping the run shown."""
        self.theme = theme
        self.scene.colors = canvas_colors(theme)
        self._theme_canvas()
        if self.graph is not None:
            self._build_scene()
            self._repaint()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if (self._follow_theme and event.type() == QEvent.Type.PaletteChange
                and app_theme() != self.theme):
            self.set_theme(app_theme())

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_F:
            self.fit()
            return
        super().keyPressEvent(event)

    def fit(self) -> None:
        """Fit the painted scene (the model and the Repeat heat maps beside it) to the pane,
        but never so small that node titles cannot be read (:data:`MIN_FIT_SCALE`): a tall
        model is then shown across its whole width from the top (at most full size), and a
        pane too narrow even for that shows the top left at the legible size. The rest is a
        scroll, a drag or Ctrl+wheel away; a thumbnail nobody can read is worse (UX.md)."""
        rect = self.scene.itemsBoundingRect()
        if rect.isEmpty():
            return
        self.canvas.fit(rect)
        if self.canvas.scale_factor() >= MIN_FIT_SCALE:
            return
        room = self.canvas.viewport().width() - _SCROLLBAR_ROOM
        self.set_zoom(max(MIN_FIT_SCALE, min(room / rect.width(), 1.0)))

    def set_zoom(self, scale: float) -> None:
        """Show the model at ``scale`` from its top left (two runs at one zoom)."""
        rect = self.scene.itemsBoundingRect()
        self.canvas.resetTransform()
        self.canvas.scale(scale, scale)
        view = self.canvas.viewport().rect()
        self.canvas.centerOn(QPointF(rect.left() + view.width() / scale / 2 - 20,
                                     rect.top() + view.height() / scale / 2 - 20))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._arrange_lower(event.size().width())
        super().resizeEvent(event)

    def eventFilter(self, watched: Any, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Fit again whenever the canvas itself changes size (the rows around it settle
        after the pane does: a fit made before then leaves a thumbnail or cuts the side)."""
        if (watched is self.canvas.viewport() and event.type() == QEvent.Type.Resize
                and self.graph is not None and not self._fitting):
            self._fitting = True  # a fit may show or hide scroll bars: no second round
            try:
                self.fit()
                self.refitted.emit()
            finally:
                self._fitting = False
        return super().eventFilter(watched, event)

    def _arrange_lower(self, width: int) -> None:
        """Loss plot and diagnostics side by side in a wide pane, one above the other in a
        narrow one (two runs side by side), where half the width would cut sentences."""
        narrow = width < NARROW
        self.lower.setOrientation(Qt.Orientation.Vertical if narrow
                                  else Qt.Orientation.Horizontal)
        self.plot.setMaximumHeight(100 if narrow else 130)
        self.diagnostics.setMaximumHeight(90 if narrow else 130)

    def clear(self) -> None:
        """Show nothing (the run shown belongs to another project)."""
        self.graph = None
        self.data = RunTelemetry([])
        self.overlays, self.heats = {}, []
        self.scene.clear()
        self.scene.items_by_id = {}
        self.title.setText("No run selected")
        self.metric_box.clear()
        self.slider.setEnabled(False)
        self.loss_curve.setData([], [])
        self.diagnostics.clear()
        self.hover.set("Select a run of this project to see its telemetry.", [])

    def show_hover(self, node_id: str | None, layer: int | None = None, label: str = "") -> None:
        """Describe ``node_id`` (at ``layer`` inside a Repeat) in the hover card."""
        if node_id is None or self.graph is None or node_id not in self.graph.nodes:
            self.hover.set("Hover a component to read its value.", [])
            return
        value = self.data.value(node_id, self.metric_key, self.index)
        history = self.data.history(node_id, self.metric_key)
        name = label or self.graph.nodes[node_id].type
        if layer is not None and isinstance(value, list):
            value = value[layer] if layer < len(value) else None
            name = f"{name}, layer {layer}"
            history = [h[layer] if isinstance(h, list) and layer < len(h) else None
                       for h in self.data.history_raw(node_id, self.metric_key)]
        number = scalar(value)
        shown = "–" if number is None else f"{number:.4g}"
        step = self.current_step()
        self.hover.set(f"{name}: {METRICS.get(self.metric_key, self.metric_key)} = {shown} "
                       f"at step {step if step is not None else '–'}", history)

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
        name, count = name or graph.name, len(self.data)
        self.title.set_texts(f"{name}: {count} telemetry collections", f"{name} ({count})", name)
        self.hover.set("Hover a component or a heat-map cell to read its value.", [])
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
        self.fit()

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

    def share_scale(self, bounds: tuple[float, float, bool] | None) -> None:
        """Paint with these colour-scale ends (two runs compared at the same scale);
        None: this run's own range."""
        self.shared = bounds
        self._rescale()

    def own_range(self) -> tuple[float, float, bool] | None:
        """This run's range of the current metric, and whether it is logarithmic."""
        log = self.log_box.isChecked()
        bounds = self.data.range(self.metric_key, log) or self.data.range(self.metric_key, False)
        if bounds is None:
            return None
        return bounds[0], bounds[1], log and bounds[0] > 0

    def _rescale(self) -> None:
        if self.shared is not None:
            low, high, log = self.shared
            self.scale.low, self.scale.high, self.scale.log = low, high, log
            self.legend.set_scale(low, high, log)
            self._repaint()
            return
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
        self.scene.update()

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
    """Two runs painted side by side on their own graphs, at one colour scale (the union of
    both runs' ranges), with metric and step kept in step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.left, self.right = TelemetryView(), TelemetryView()
        self.addWidget(self.left)
        self.addWidget(self.right)
        self.setChildrenCollapsible(False)
        self.left.step_changed.connect(self._follow)
        self.left.metric_box.currentIndexChanged.connect(lambda _i: self._same_metric())
        self.left.log_box.toggled.connect(self.right.log_box.setChecked)
        self.right.log_box.toggled.connect(lambda _on: self._same_scale())
        for view in (self.left, self.right):
            view.refitted.connect(self._refit)

    def load_runs(self, a: str | Path, b: str | Path, names: tuple[str, str] | None = None) -> None:
        """Paint run folder ``a`` on the left and ``b`` on the right."""
        self.left.load_run(a, names[0] if names else None)
        self.right.load_run(b, names[1] if names else None)
        self._same_metric()
        self.same_zoom()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)  # each view fits itself...
        if self.left.graph is not None and self.right.graph is not None:
            self.same_zoom()  # ...then both take the smaller zoom

    def _refit(self) -> None:
        if self.left.graph is not None and self.right.graph is not None:
            self.same_zoom()

    def _same_metric(self) -> None:
        self.right.set_metric(self.left.metric_key)
        self._same_scale()

    def same_zoom(self) -> None:
        """Both graphs drawn at one zoom (the smaller fit), so sizes compare by eye."""
        for view in (self.left, self.right):
            view.fit()
        zoom = min(self.left.canvas.scale_factor(), self.right.canvas.scale_factor())
        for view in (self.left, self.right):
            view.set_zoom(zoom)

    def _same_scale(self) -> None:
        """Both views colour with the union of their ranges (so equal colours mean equal
        values across the two runs)."""
        self.left.share_scale(None)
        self.right.share_scale(None)
        ranges = [r for r in (self.left.own_range(), self.right.own_range()) if r is not None]
        if not ranges:
            return
        log = all(r[2] for r in ranges)
        bounds = (min(r[0] for r in ranges), max(r[1] for r in ranges), log)
        self.left.share_scale(bounds)
        self.right.share_scale(bounds)

    def _follow(self, step: int) -> None:
        if self.right.data.steps:
            self.right.set_step(step)
