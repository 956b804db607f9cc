"""The Train workspace's Telemetry tab: the selected run painted on its graph, or two
ticked runs side by side at the same colour scale, and the link with the loss plot.

A run is painted when the tab is shown (painting a hidden tab wastes the UI thread), and
the pane forgets the run when the project changes, so it never shows another model's run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from olm.core.errors import OLMError
from olm_studio.training.telemetry_view import TelemetryCompare, TelemetryView

if TYPE_CHECKING:
    from olm_studio.training.plots import LivePlots
    from olm_studio.training.runs import Run

__all__ = ["TelemetryPane"]


class TelemetryPane(QWidget):
    """One run (default) or two side by side, in the pane they are shown in.

    Args:
        plots: the live plots whose loss plot moves the step (and shows it as a line).
    """

    def __init__(self, plots: LivePlots, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = plots
        self.view = TelemetryView()
        self.compare = TelemetryCompare()
        self.side_by_side_button = QPushButton("Two ticked runs side by side")
        self.side_by_side_button.setToolTip("Tick two runs in Runs; each is painted on its own "
                                            "graph at the same colour scale, with the metric "
                                            "and step kept together")
        self.single_button = QPushButton("Selected run only")
        self.single_button.clicked.connect(lambda: self._show_page(self.view))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.compare)
        row = QHBoxLayout()
        row.addWidget(self.side_by_side_button)
        row.addWidget(self.single_button)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.stack, 1)
        self.pending: Run | None = None  # painted when the pane is shown
        # the main loss plot and the telemetry step slider move together
        plots.graphics.scene().sigMouseClicked.connect(self._on_loss_plot_click)
        self.step_marker = pg.InfiniteLine(angle=90, movable=False,
                                           pen=pg.mkPen("#ff9f1c", width=1))
        self.step_marker.setVisible(False)
        plots.loss_plot.addItem(self.step_marker, ignoreBounds=True)
        self.view.step_changed.connect(self._on_step)
        self._show_page(self.view)

    def _show_page(self, page: QWidget) -> None:
        """Show one run or two; only the shown page's minimum width counts (two views side
        by side must not widen the window while one is shown)."""
        for i in range(self.stack.count()):
            other = self.stack.widget(i)
            policy = QSizePolicy.Policy.Preferred if other is page else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(page)
        self.single_button.setEnabled(page is not self.view)

    def show_run(self, run: Run | None, shown: bool | None = None) -> None:
        """Paint ``run`` now if the pane is shown (``shown``), else when it is."""
        self.pending = run
        if run is None or not (self.isVisible() if shown is None else shown):
            return
        self.pending = None
        try:
            self.view.load_run(run.path, run.name)
        except (OLMError, OSError):
            self.view.clear()  # a run without its graph file shows nothing
        self._show_page(self.view)

    def clear(self) -> None:
        """Forget the run shown (another project was opened)."""
        self.pending = None
        self.view.clear()
        self.compare.left.clear()
        self.compare.right.clear()
        self._show_page(self.view)
        self.step_marker.setVisible(False)

    def paint_two(self, runs: list[Run]) -> str:
        """Paint two runs side by side; "" when done, else why not."""
        if len(runs) < 2:
            return "Tick two runs to paint them side by side."
        try:
            self.compare.load_runs(runs[0].path, runs[1].path, (runs[0].name, runs[1].name))
        except (OLMError, OSError) as err:
            return f"Cannot paint these runs: {err}"
        self._show_page(self.compare)
        return ""

    def _on_loss_plot_click(self, event: Any) -> None:
        """Clicking the loss plot (x axis: step) moves the telemetry slider there."""
        vb = self.plots.loss_plot.vb
        if self.plots.x_axis() != "step" or not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        if self.view.data.steps:
            self.view.set_step(int(round(vb.mapSceneToView(event.scenePos()).x())))

    def _on_step(self, step: int) -> None:
        self.step_marker.setValue(step)
        self.step_marker.setVisible(self.plots.x_axis() == "step")
