"""The lesson side panel: names the next swap, waits for it on the canvas, explains it.

It renders an :class:`olm.graph.lessons.Lesson` and never edits the model by itself: the
user makes each change with the ordinary gestures, and the panel re-reads the document
after every edit (the lesson's checks decide). "Show me" makes the step as one undoable
edit, and "Undo step" is plain undo, so the lesson is never a modal tour.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from olm.core.errors import OLMError
from olm.graph.commands import Macro
from olm.graph.lessons import BEYOND_LLAMA, Lesson, lesson_figures
from olm_studio.canvas.looks import format_bytes, format_count

__all__ = ["LessonPanel", "figure_change", "leave_welcome_for_design"]


def leave_welcome_for_design(window: QMainWindow) -> None:
    """Before a lesson: close the welcome page and show Design with its palette.

    Started from Help while the welcome page showed, the lesson left the page painted
    around the canvas, with no palette: the lesson happens on the canvas, so the page goes,
    the Design workspace comes to the front and the palette is shown.
    """
    welcome = getattr(window, "welcome", None)
    if welcome is not None:
        welcome.dismiss()
    window.set_workspace("design")
    palette = getattr(window, "palette_dock", None)
    if palette is not None:
        palette.show()
        palette.raise_()


def figure_change(before: dict[str, int], after: dict[str, int]) -> str:
    """"Parameters 124,439,808 → 123,653,376 (−786K) · KV/token 36.9 KB → 9.2 KB": what moved."""
    def exact(n: int) -> str:
        return f"{n:,}"

    rows = (("total_params", "Parameters", exact), ("active_params", "Active", exact),
            ("forward_flops_per_token", "FLOPs/token", format_count),
            ("kv_cache_bytes_per_token", "KV/token", format_bytes))
    parts = []
    for key, label, fmt in rows:
        a, b = before.get(key), after.get(key)
        if a is None or b is None or a == b:
            continue
        if key == "active_params" and after.get("total_params") == b:
            continue
        sign = "+" if b > a else "−"
        delta = format_count(abs(b - a)) if fmt is exact else fmt(abs(b - a))
        parts.append(f"{label} {fmt(a)} → {fmt(b)} ({sign}{delta})")
    return " · ".join(parts) or "No figure moved."


class LessonPanel(QWidget):
    """Renders one lesson against the open document.

    Args:
        controller: the document controller (its ``graph``, ``run`` and undo stack).
        open_preset: opens a preset by name (asking about unsaved edits); returns success.
        parent: the owning widget.
    """

    finished = Signal(str)  # the lesson's key
    train_requested = Signal()

    def __init__(self, controller: Any, open_preset: Callable[[str], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.controller = controller
        self.open_preset = open_preset
        self.lesson: Lesson | None = None
        self.step_index = 0
        self.figures: list[dict[str, int]] = []
        self._build()
        controller.content_changed.connect(self.refresh)
        controller.structure_changed.connect(self.refresh)
        controller.document_replaced.connect(self.refresh)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("lessonTitle")
        self.title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.title.setWordWrap(True)
        self.intro = self._wrapped("lessonIntro")
        self.steps = QListWidget(self)
        self.steps.setObjectName("lessonSteps")
        # Long step titles wrap instead of widening the panel (it overflowed sideways).
        self.steps.setWordWrap(True)
        self.steps.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.instruction = self._wrapped("lessonInstruction")
        self.explanation = self._wrapped("lessonExplanation")
        self.change = self._wrapped("lessonFigures")
        buttons = QGridLayout()  # two by two: four buttons in a row forced the panel wide
        self.show_button = QPushButton("Show me", self)
        self.show_button.setToolTip("Make this step for me (one undoable edit)")
        self.show_button.clicked.connect(self.show_step)
        self.undo_button = QPushButton("Undo step", self)
        self.undo_button.clicked.connect(self.controller.undo_stack.undo)
        self.next_button = QPushButton("Next part", self)
        self.next_button.clicked.connect(lambda: self.start(BEYOND_LLAMA))
        self.train_button = QPushButton("Train both at trial scale", self)
        self.train_button.clicked.connect(self.train_requested.emit)
        self.measure_button = QPushButton("Measure each swap", self)
        self.measure_button.setToolTip("Train GPT-2 and each step's model at equal compute "
                                       "with seeds: what each swap buys, with intervals")
        self.measure_button.clicked.connect(self._measure)
        for i, b in enumerate((self.show_button, self.undo_button, self.next_button,
                               self.train_button, self.measure_button)):
            buttons.addWidget(b, i // 2, i % 2)
        for widget in (self.title, self.intro, self.steps, self.instruction):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.explanation)
        layout.addWidget(self.change)
        layout.addStretch(1)

    def _measure(self) -> None:
        from olm_studio.experiment.dialog import open_experiment

        self.experiment = open_experiment(self.window(), lesson=True)

    def _wrapped(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- driving ---------------------------------------------------------------------------
    def start(self, lesson: Lesson) -> bool:
        """Open the lesson's starting preset and show its first step."""
        if not self.open_preset(lesson.start):
            return False
        self.lesson = lesson
        self.step_index = 0
        self.figures = [lesson_figures(self.controller.graph)]
        self.title.setText(lesson.title)
        self.intro.setText(lesson.intro)
        self.explanation.clear()
        self.change.clear()
        self.refresh()
        return True

    def show_step(self) -> None:
        """"Show me": make the current step as one undoable edit."""
        if self.lesson is None or self.step_index >= len(self.lesson.steps):
            return
        step = self.lesson.steps[self.step_index]
        try:
            self.controller.run(Macro(step.title, step.show(self.controller.graph)),
                                f"Lesson: {step.title}")
        except OLMError as err:
            self.explanation.setText(f"Could not make this step automatically: {err}")

    def refresh(self) -> None:
        """Re-read the document: advance past steps that are now done, or step back."""
        if self.lesson is None:
            return
        graph = self.controller.graph
        progress = self.lesson.progress(graph)
        if progress > self.step_index:
            now = lesson_figures(graph)
            done = self.lesson.steps[progress - 1]
            self.explanation.setText(f"✓ {done.title}. {done.explanation}")
            self.change.setText(figure_change(self.figures[-1], now))
            self.figures.append(now)
        elif progress < self.step_index:  # undone
            self.figures = self.figures[: progress + 1]
            self.explanation.clear()
            self.change.clear()
        self.step_index = progress
        self._render()

    def _render(self) -> None:
        assert self.lesson is not None
        self.steps.clear()
        for i, step in enumerate(self.lesson.steps):
            mark = "✓" if i < self.step_index else ("→" if i == self.step_index else "·")
            item = QListWidgetItem(f"{mark}  {i + 1}. {step.title}")
            self.steps.addItem(item)
        self._fit_steps()
        complete = self.step_index >= len(self.lesson.steps)
        if complete:
            self.instruction.setText(self.lesson.outro)
            self.finished.emit(self.lesson.key)
        else:
            step = self.lesson.steps[self.step_index]
            self.instruction.setText(f"Step {self.step_index + 1}: {step.instruction}")
        self.show_button.setEnabled(not complete)
        self.next_button.setVisible(complete and self.lesson is not BEYOND_LLAMA)
        self.train_button.setVisible(complete)

    def _fit_steps(self) -> None:
        """The step list as tall as its (wrapped) rows: no empty space, no inner scrolling."""
        self.steps.doItemsLayout()
        rows = sum(self.steps.sizeHintForRow(i) for i in range(self.steps.count()))
        self.steps.setFixedHeight(rows + 2 * self.steps.frameWidth() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.lesson is not None:
            self._fit_steps()  # narrower: the titles wrap onto more lines

    @property
    def current_step(self) -> int:
        """Index of the step the user is on (``len(steps)`` when finished)."""
        return self.step_index
