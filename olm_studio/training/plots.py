"""Live training plots: loss (train and validation), learning rate, tokens/s, grad norm.

Several runs can be drawn at once (one colour each) — comparing curves is the point of
the Train panel. Drawing stays smooth at thousands of points because:

* each curve is handed a view of the run's growing numpy buffer (no copies per step);
* curves downsample to the pixels on screen (``peak`` mode keeps spikes visible) and
  clip to the visible range;
* events only mark the plots dirty; a single-shot QTimer redraws at most every
  :attr:`LivePlots.REDRAW_MS` milliseconds, however fast events arrive.

The legend is a row of its own above the plots, never drawn over a curve, and it wraps
when many runs are overlaid; the baseline run (the one the others are compared with) is
marked there.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from olm_studio.training.history import RunHistory

__all__ = ["CompactAxis", "LivePlots", "PlotEntry", "RUN_COLORS", "RunLegend", "compact_number"]

# Distinct, colour-blind-friendly hues (Okabe-Ito, then extras) for overlaid runs.
RUN_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
              "#F0E442", "#999999")


@dataclass
class PlotEntry:
    """One run to draw.

    Args:
        key: stable identity (the run id), so its colour stays put as runs come and go.
        label: the legend text.
        history: the run's curves; the plot reads its buffers on every redraw.
        color: the run's colour; by default the next unused one of :data:`RUN_COLORS`.
    """

    key: str
    label: str
    history: RunHistory
    color: str | None = None


class _RunCurves:
    """The plot items of one run, across the four plots."""

    def __init__(self, plots: LivePlots, entry: PlotEntry, color: str) -> None:
        self.entry = entry
        base = QColor(color)
        faint = QColor(base)
        faint.setAlpha(70)
        self.raw = _curve(plots.loss_plot, pg.mkPen(faint, width=1))
        self.train = _curve(plots.loss_plot, pg.mkPen(base, width=2))
        self.val = _curve(plots.loss_plot, pg.mkPen(base, width=2, style=Qt.PenStyle.DashLine),
                          symbol="o", symbolSize=6, symbolBrush=base, symbolPen=pg.mkPen(base))
        self.lr = _curve(plots.lr_plot, pg.mkPen(base, width=2))
        self.tps = _curve(plots.tps_plot, pg.mkPen(base, width=1.5))
        self.grad = _curve(plots.grad_plot, pg.mkPen(base, width=1.5))

    def items(self) -> list[pg.PlotDataItem]:
        return [self.raw, self.train, self.val, self.lr, self.tps, self.grad]

    def update(self, x_axis: str) -> None:
        h = self.entry.history
        x = h.tokens.values if x_axis == "tokens" else h.step.values
        vx = h.val_tokens.values if x_axis == "tokens" else h.val_step.values
        self.raw.setData(x, h.loss.values)
        self.train.setData(x, h.loss_smooth.values)
        self.val.setData(vx, h.val_loss.values)
        self.lr.setData(x, h.lr.values)
        self.tps.setData(x, h.tokens_per_s.values)
        self.grad.setData(x, h.grad_norm.values)


def compact_number(value: float, digits: int = 3) -> str:
    """Tick text that stays short: ``20000`` → ``20k``, ``0.0003`` → ``3e-4``.

    ``digits`` significant digits (more when neighbouring ticks would read the same).
    """
    magnitude = abs(value)
    if 0 < magnitude < 1e-2:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


class RunLegend(QLabel):
    """The runs' colours and names in a row above the plots (it wraps; it covers nothing).

    ``items`` lists ``(key, label)`` per run, in drawing order.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runLegend")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.items: list[tuple[str, str]] = []
        self.baseline: str | None = None
        self._colors: dict[str, str] = {}

    def set_runs(self, items: list[tuple[str, str, str]], baseline: str | None) -> None:
        """Show ``(key, label, colour)`` for each run; mark ``baseline``."""
        self.items = [(key, label) for key, label, _c in items]
        self._colors = {key: color for key, _l, color in items}
        self.baseline = baseline
        parts = []
        for key, label, color in items:
            mark = " <i>(baseline)</i>" if key == baseline and len(items) > 1 else ""
            parts.append(f"<span style='color:{color}'>━━</span>&nbsp;{html.escape(label)}{mark}")
        self.setText("&nbsp;&nbsp;&nbsp; ".join(parts))
        self.setVisible(bool(items))


class CompactAxis(pg.AxisItem):
    """An axis whose ticks read ``2k``/``1.5M``/``0.0003`` instead of SI-scaled zeros."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        """Short labels, with as many digits as it takes for no two ticks to read alike."""
        labels: list[str] = []
        for digits in range(3, 9):
            labels = [compact_number(v * scale, digits) for v in values]
            if len(set(labels)) == len(labels):
                break
        return labels


def _curve(plot: pg.PlotItem, pen: object, **kwargs: object) -> pg.PlotDataItem:
    item = pg.PlotDataItem(np.empty(0), np.empty(0), pen=pen, connect="finite", **kwargs)
    plot.addItem(item)  # addItem applies the plot's downsampling and clipping to the item
    return item


class LivePlots(QWidget):
    """Four plots sharing one x axis (step or tokens), drawing any number of runs.

    Args:
        parent: the owning widget.
    """

    REDRAW_MS = 100

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._curves: dict[str, _RunCurves] = {}
        self._colors: dict[str, str] = {}
        self._x_axis = "step"
        self.redraw_count = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REDRAW_MS)
        self._timer.timeout.connect(self.refresh)

        self.x_choice = QComboBox()
        self.x_choice.addItem("step", "step")
        self.x_choice.addItem("tokens", "tokens")
        self.x_choice.currentIndexChanged.connect(
            lambda _i: self.set_x_axis(self.x_choice.currentData()))
        self.log_choice = QComboBox()
        self.log_choice.addItems(["linear loss", "log loss"])
        self.log_choice.currentIndexChanged.connect(self._on_log_changed)
        self.clip_outliers = QCheckBox("ignore outliers")
        self.clip_outliers.setToolTip("scale the loss axis to the bulk of the points, so the "
                                      "first steps' high loss does not flatten the curve")
        self.clip_outliers.setChecked(True)
        self.clip_outliers.toggled.connect(lambda _on: self.refresh())
        bar = QHBoxLayout()
        bar.addWidget(QLabel("x axis"))
        bar.addWidget(self.x_choice)
        bar.addWidget(self.log_choice)
        bar.addWidget(self.clip_outliers)
        bar.addStretch(1)

        self.graphics = pg.GraphicsLayoutWidget()
        self.loss_plot = self._add_plot(0, 0, "loss  (solid: train, smoothed · dashed: validation)",
                                        colspan=3)
        self.lr_plot = self._add_plot(1, 0, "learning rate")
        self.tps_plot = self._add_plot(1, 1, "tokens / s")
        self.grad_plot = self._add_plot(1, 2, "grad norm")
        self.graphics.ci.layout.setRowStretchFactor(0, 3)
        self.graphics.ci.layout.setRowStretchFactor(1, 2)
        self.graphics.setMinimumHeight(260)
        self.legend = RunLegend(self)
        # Its line is kept while no run is drawn: showing it when the first run starts
        # resized the plots, and every axis was laid out and drawn again (a stall).
        policy = self.legend.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.legend.setSizePolicy(policy)
        self.baseline: str | None = None
        # A grid on the loss plot only: the grid lines span each plot and drawing them on
        # the three small plots too made the first switch to Train stall ~30 ms longer
        # (benchmarks/ui_stall.py); those are read at a glance, the loss is read off.
        self.loss_plot.showGrid(x=True, y=True, alpha=0.2)
        for plot in self.plots():
            plot.setMenuEnabled(False)
            for name in ("left", "bottom"):
                plot.getAxis(name).setStyle(tickTextOffset=3, autoExpandTextSpace=True)
        self.apply_palette()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        layout.addWidget(self.graphics, 1)

    def _add_plot(self, row: int, col: int, title: str, colspan: int = 1) -> pg.PlotItem:
        axes = {"left": CompactAxis("left"), "bottom": CompactAxis("bottom")}
        for axis in axes.values():
            axis.enableAutoSIPrefix(False)
        plot = self.graphics.addPlot(row=row, col=col, colspan=colspan, title=title,
                                     axisItems=axes)
        # Draw about one point per pixel column ("peak" keeps spikes visible) and only
        # what is in view: this is what keeps thousands of points smooth.
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        return plot

    def plots(self) -> list[pg.PlotItem]:
        return [self.loss_plot, self.lr_plot, self.tps_plot, self.grad_plot]

    def apply_palette(self) -> None:
        """Match the application's colours (the Studio has dark and light themes)."""
        palette = QApplication.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.graphics.setBackground(background)
        for plot in self.plots():
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(text))
                axis.setTextPen(pg.mkPen(text))
            plot.titleLabel.setText(plot.titleLabel.text, color=text.name(), size="9pt")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        """Follow a theme switch (the application palette changed)."""
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(event)

    # -- runs ------------------------------------------------------------------------
    def set_runs(self, entries: list[PlotEntry]) -> None:
        """Draw exactly these runs (adding, keeping or removing curves as needed)."""
        wanted = {entry.key: entry for entry in entries}
        kept = [key for key in self._curves if key in wanted]
        if kept != [key for key in wanted if key in self._curves]:
            for key in list(self._curves):  # re-add all, so the legend follows `entries`
                self._remove(key)
        for key in list(self._curves):
            old = self._curves[key].entry
            if key not in wanted or (old.history, old.color) != (wanted[key].history,
                                                                 wanted[key].color):
                self._remove(key)
        for entry in entries:
            if entry.key not in self._curves:
                if entry.color:
                    self._colors[entry.key] = entry.color
                color = self._colors.setdefault(
                    entry.key, RUN_COLORS[len(self._colors) % len(RUN_COLORS)])
                self._curves[entry.key] = _RunCurves(self, entry, color)
        self._update_legend()
        self.refresh()

    def set_baseline(self, key: str | None) -> None:
        """Mark the run the others are compared with (in the legend, drawn on top)."""
        self.baseline = key
        for curve_key, curves in self._curves.items():
            curves.train.setZValue(2 if curve_key == key else 1)
        self._update_legend()

    def _update_legend(self) -> None:
        self.legend.set_runs([(key, c.entry.label, self._colors[key])
                              for key, c in self._curves.items()], self.baseline)

    def _remove(self, key: str) -> None:
        curves = self._curves.pop(key)
        for plot in self.plots():
            for item in curves.items():
                if item in plot.listDataItems():
                    plot.removeItem(item)

    def color_of(self, key: str) -> str | None:
        """The colour a run is drawn in (the runs list shows it beside the name)."""
        return self._colors.get(key)

    def keys(self) -> list[str]:
        return list(self._curves)

    def point_count(self, key: str, curve: str = "train") -> int:
        """How many points a run's curve holds now (what has been drawn, for tests)."""
        item = getattr(self._curves[key], curve)
        x, _y = item.getOriginalDataset()
        return 0 if x is None else len(x)

    # -- drawing ---------------------------------------------------------------------
    def set_x_axis(self, axis: str) -> None:
        """Plot against "step" or "tokens"."""
        if axis not in ("step", "tokens"):
            raise ValueError(f"axis {axis!r} must be 'step' or 'tokens'")
        self._x_axis = axis
        if self.x_choice.currentData() != axis:
            self.x_choice.setCurrentIndex(self.x_choice.findData(axis))
        for plot in self.plots():
            plot.setLabel("bottom", axis)
        self.refresh()

    def x_axis(self) -> str:
        return self._x_axis

    def mark_dirty(self) -> None:
        """New points arrived: redraw soon, at most once per :attr:`REDRAW_MS`."""
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Redraw every curve from its run's buffers now."""
        self._timer.stop()
        for curves in self._curves.values():
            curves.update(self._x_axis)
        self._fit_loss_axis()
        self.redraw_count += 1

    def _on_log_changed(self, index: int) -> None:
        self.loss_plot.setLogMode(x=False, y=index == 1)
        self.refresh()

    def loss_range(self) -> tuple[float, float] | None:
        """The loss axis range that ignores outliers, or None to autoscale.

        Like TensorBoard's "ignore outliers", but with Tukey's far-out fences (quartiles
        ± 3 interquartile ranges) over every drawn loss value, train and validation: the
        first steps' loss, often ten times the rest and a tenth of the points, falls
        outside and no longer squashes the part of the curve that matters. Early in a
        run, when every point is still falling fast, the fences hold all of them.
        """
        values = [h.values for c in self._curves.values()
                  for h in (c.entry.history.loss, c.entry.history.val_loss) if len(h)]
        if not self.clip_outliers.isChecked() or not values:
            return None
        joined = np.concatenate(values)
        joined = joined[np.isfinite(joined)]
        if joined.size < 10:
            return None
        q1, q3 = np.percentile(joined, [25.0, 75.0])
        spread = 3.0 * (q3 - q1)
        low = max(float(joined.min()), q1 - spread)
        high = min(float(joined.max()), q3 + spread)
        pad = 0.08 * max(high - low, 1e-6)
        return float(low - pad), float(high + pad)

    def _fit_loss_axis(self) -> None:
        bounds = self.loss_range()
        view = self.loss_plot.getViewBox()
        if bounds is None:
            view.enableAutoRange(axis=pg.ViewBox.YAxis)
            return
        low, high = bounds
        if self.log_choice.currentIndex() == 1:  # log mode plots log10 of the values
            low, high = np.log10(max(low, 1e-6)), np.log10(max(high, 1e-6))
        view.setYRange(low, high, padding=0)
