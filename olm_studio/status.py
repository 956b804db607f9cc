"""The status line: the model's figures and validity, always visible, updated per edit.

When an edit moves a figure, the change is shown for a moment (``−2.4M params``), so a
swap visibly does something (UX.md).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from olm_studio.canvas.looks import format_bytes, format_count

__all__ = ["FigureLine"]


class FigureLine:
    """Fills a QStatusBar with the model figures and the validity badge.

    Args:
        bar: the window's status bar.
    """

    def __init__(self, bar: QStatusBar) -> None:
        self.figures_label = QLabel("", bar)
        self.figures_label.setObjectName("figures")
        self.delta_label = QLabel("", bar)
        self.validity = QLabel("", bar)
        self.zoom = QLabel("100 %", bar)
        # Permanent widgets: a status tip or message (hovering a menu) never hides them.
        bar.addPermanentWidget(self.figures_label)
        bar.addPermanentWidget(self.delta_label)
        bar.addPermanentWidget(self.validity)
        bar.addPermanentWidget(self.zoom)
        self._last_params: int | None = None
        self._timer = QTimer(bar)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.delta_label.setText(""))

    def text(self) -> str:
        """The figures as shown (for tests and the window title)."""
        return f"{self.figures_label.text()} {self.validity.text()}".strip()

    def update(self, figures: Any, root_id: str, reset: bool = False) -> None:
        """Show ``figures`` (a :class:`~olm_studio.controller.Figures`)."""
        stats = figures.stats
        # the fields of olm.graph.Stats, read as typed (no second guesses at their names)
        params = stats.total_params if stats is not None else None
        if params is None:
            params = figures.counts.get(root_id)
        parts = [f"{format_count(params)} params"]
        active = stats.active_params if stats is not None else None
        if active is not None and params and active < params:
            parts.append(f"{format_count(active)} active")
        flops = stats.forward_flops_per_token if stats is not None else None
        if flops is not None:
            parts.append(f"{flops / 1e9:.3g} GFLOP/token")
        weights = stats.weight_bytes_fp32 if stats is not None else None
        if weights is None and params is not None:
            weights = params * 4
        parts.append(f"{format_bytes(weights)} fp32")
        kv = stats.kv_cache_bytes_per_token if stats is not None else None
        if kv is not None:
            parts.append(f"KV {format_bytes(kv)}/token")
        self.figures_label.setText("  ·  ".join(parts))
        if figures.errors:
            self.validity.setText(f"✗ {figures.errors} error{'s' if figures.errors > 1 else ''}")
            self.validity.setStyleSheet("color: #ff6b6b; font-weight: bold;")
        elif figures.warnings:
            self.validity.setText(f"⚠ {figures.warnings} warning{'s' if figures.warnings > 1 else ''}")
            self.validity.setStyleSheet("color: #f0b43c; font-weight: bold;")
        else:
            self.validity.setText("✓ valid")
            self.validity.setStyleSheet("color: #3fae6a; font-weight: bold;")
        if not reset and self._last_params is not None and params is not None:
            delta = params - self._last_params
            if delta:
                sign = "+" if delta > 0 else "−"
                self.delta_label.setText(f"{sign}{format_count(abs(delta))} params")
                self._timer.start(2500)
        if reset:
            self.delta_label.setText("")
        self._last_params = params

    def set_zoom(self, scale: float) -> None:
        """Show the canvas zoom."""
        self.zoom.setText(f"{scale * 100:.0f} %")
