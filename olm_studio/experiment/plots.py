"""The two pictures of an experiment, drawn with pyqtgraph.

* :class:`ComparisonPlot`: each model's final validation loss at equal compute: one dot
  per seed, the mean, and its 95% interval as an error bar (no bar when N < 2: there
  is no interval to draw).
* :class:`ScalingPlot`: loss against compute on log-log axes, the measured points of each
  sweep and its fitted ``E + A*C^-alpha`` extended to the largest prediction, and where
  two curves cross.

Both only read the JSON ``olm compare`` / ``olm sweep`` write, so the docs script, the
Studio's view and a reopened experiment draw the same thing.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from olm_studio.training.plots import RUN_COLORS

__all__ = ["ComparisonPlot", "ScalingPlot", "curve_points"]


def _setup(plot: pg.PlotWidget, title: str, left: str, bottom: str) -> None:
    plot.setBackground("w")
    item = plot.getPlotItem()
    item.setTitle(title, color="#222", size="11pt")
    for side, label in (("left", left), ("bottom", bottom)):
        axis = item.getAxis(side)
        axis.setLabel(label, color="#222")
        axis.setPen("#444")
        axis.setTextPen("#222")
    item.showGrid(x=True, y=True, alpha=0.2)


class ComparisonPlot(pg.PlotWidget):
    """Final validation loss per model with the 95% interval over seeds."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        _setup(self, "Final validation loss at equal compute (95% CI over seeds)",
               "validation loss (nats)", "")
        self.models: list[dict] = []

    def set_data(self, data: dict) -> None:
        """Draw the ``models`` of an experiment's JSON."""
        item = self.getPlotItem()
        item.clear()
        self.models = [m for m in data.get("models", []) if m.get("val_losses")]
        ticks = []
        for i, m in enumerate(self.models):
            color = RUN_COLORS[i % len(RUN_COLORS)]
            losses = m["val_losses"]
            offsets = np.linspace(-0.12, 0.12, len(losses)) if len(losses) > 1 else [0.0]
            item.addItem(pg.ScatterPlotItem(
                [i + o for o in offsets], losses, size=7, brush=pg.mkBrush(color + "80"),
                pen=pg.mkPen(color)))
            item.addItem(pg.ScatterPlotItem([i], [m["mean"]], size=13, symbol="d",
                                            brush=pg.mkBrush(color), pen=pg.mkPen("#222")))
            if m.get("ci95") is not None:
                item.addItem(pg.ErrorBarItem(x=np.array([i]), y=np.array([m["mean"]]),
                                             height=np.array([2 * m["ci95"]]), beam=0.25,
                                             pen=pg.mkPen(color, width=2)))
            ticks.append((i, m["name"]))
        item.getAxis("bottom").setTicks([ticks])
        item.setXRange(-0.6, max(0.6, len(ticks) - 0.4), padding=0)


def curve_points(fit: dict, low: float, high: float, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Compute values from ``low`` to ``high`` (log spaced) and the fitted losses there."""
    cs = np.logspace(math.log10(low), math.log10(high), n)
    return cs, fit["E"] + fit["A"] * cs ** (-fit["alpha"])


class ScalingPlot(pg.PlotWidget):
    """Loss against training compute, log-log, with each sweep's fitted power law."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        _setup(self, "Loss against compute: measured points and fitted L(C) = E + A·C^-α",
               "validation loss (nats)", "training compute (FLOPs)")
        self.getPlotItem().setLogMode(x=True, y=True)
        self.legend = self.getPlotItem().addLegend(offset=(-10, 10), labelTextColor="#222")
        self.sweeps: list[dict] = []

    def set_sweeps(self, sweeps: list[dict], crossing: float | None = None) -> None:
        """Draw each sweep JSON (``points``, ``fit``, ``predicted``, ``name``)."""
        item = self.getPlotItem()
        item.clear()
        self.legend.clear()
        self.sweeps = list(sweeps)
        for i, sweep in enumerate(self.sweeps):
            color = RUN_COLORS[i % len(RUN_COLORS)]
            pts = sweep.get("points", [])
            name = sweep.get("name", f"sweep {i + 1}")
            if pts:
                item.plot([p["flops"] for p in pts], [p["val_loss"] for p in pts], pen=None,
                          symbol="o", symbolSize=10, symbolBrush=color, symbolPen="#222",
                          name=f"{name} (runs)")
            fit = sweep.get("fit")
            if fit and pts:
                top = max([p["flops"] for p in sweep.get("predicted", [])] +
                          [p["flops"] for p in pts])
                xs, ys = curve_points(fit, min(p["flops"] for p in pts), top)
                ok = ys > 0
                label = f"{name}: {fit['E']:.2f} + {fit['A']:.3g}·C^-{fit['alpha']:.3f}"
                item.plot(xs[ok], ys[ok], pen=pg.mkPen(color, width=2, style=Qt.DashLine),
                          name=label)
                pred = sweep.get("predicted", [])
                if pred:
                    item.plot([p["flops"] for p in pred], [p["val_loss"] for p in pred],
                              pen=None, symbol="o", symbolSize=9, symbolBrush=None,
                              symbolPen=pg.mkPen(color, width=2), name=f"{name} (predicted)")
        if crossing and len(self.sweeps) == 2 and self.sweeps[0].get("fit"):
            fit = self.sweeps[0]["fit"]
            loss = fit["E"] + fit["A"] * crossing ** (-fit["alpha"])
            item.plot([crossing], [loss], pen=None, symbol="x", symbolSize=14,
                      symbolBrush="#222", symbolPen="#222", name="curves cross")
