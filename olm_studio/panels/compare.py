"""Compare: two documents side by side, the components that differ highlighted, with
their parameter and FLOP figures.

What differs is decided by :mod:`olm.graph.diff` (the one structural diff). It separates
the *recipe* (component types, structure, options) from the *size* (dimensions, counts):
the dialog says "same recipe, different size" when that is so, highlights recipe
differences by default, and size differences when "Show size differences" is ticked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from olm.graph.diff import GraphDiff, compare
from olm.graph.document import Graph
from olm.graph.stats import stats
from olm_studio.canvas.looks import format_bytes, format_count
from olm_studio.canvas.scene import GraphScene, SceneInput
from olm_studio.canvas.view import CanvasView

__all__ = ["CompareDialog"]


def _figures(graph: Graph) -> dict[str, str]:
    try:
        s = stats(graph)
    except Exception:  # noqa: BLE001
        return {}
    return {"Parameters": format_count(s.total_params),
            "Active parameters": format_count(s.active_params),
            "GFLOP / token": f"{s.forward_flops_per_token / 1e9:.3g}",
            "Weights (bf16)": format_bytes(s.weight_bytes_bf16),
            "KV cache / token": format_bytes(s.kv_cache_bytes_per_token)}


class CompareDialog(QDialog):
    """Side-by-side view of the open document and another one.

    Args:
        graph: the open document (left).
        parent: the owning widget.
    """

    def __init__(self, graph: Graph, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare models")
        self.resize(1300, 850)
        self.left = graph
        self.other: Graph | None = None
        self.theme = getattr(parent, "theme", "dark")
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["", graph.name, "other"])
        self.table.verticalHeader().setVisible(False)
        self.table.setMaximumHeight(190)
        self.scenes = (GraphScene(self.theme), GraphScene(self.theme))
        self.views = (CanvasView(self.scenes[0]), CanvasView(self.scenes[1]))
        split = QSplitter(Qt.Orientation.Horizontal, self)
        for view in self.views:
            view.setInteractive(False)
            split.addWidget(view)
        self.note = QLabel("", self)
        self.note.setObjectName("compareVerdict")
        self.sizes = QCheckBox("Show size differences", self)
        self.sizes.setToolTip("Highlight differing dimensions and counts instead of the "
                              "recipe (component types and options)")
        self.sizes.toggled.connect(self._show_diff)
        self.diff = (set(), set())
        self.result: GraphDiff | None = None
        self.counts: tuple[dict, dict] = ({}, {})
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.sizes)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(split, 1)

    def choose_other(self) -> None:
        """Ask which document to compare with (a preset or a file)."""
        from olm.models import PRESETS

        choices = ["Open a file…", *sorted(PRESETS)]
        choice, ok = QInputDialog.getItem(self, "Compare with", "Model:", choices, 1, False)
        if not ok:
            return
        from olm.graph.source import from_source

        if choice == choices[0]:
            path, _ = QFileDialog.getOpenFileName(self, "Compare with", "",
                                                  "OLM projects (*.olm.json);;Python (*.py)")
            if not path:
                return
            choice = path
        self.set_other(from_source(choice))

    def set_other(self, other: Graph) -> None:
        """Show ``other`` on the right and highlight the differences."""
        self.other = other
        self.result = compare(self.left, other)
        self.counts = tuple({k: v.params for k, v in _stats_nodes(g).items()}
                            for g in (self.left, other))
        self.table.setHorizontalHeaderLabels(["", self.left.name, other.name])
        fa, fb = _figures(self.left), _figures(other)
        self.table.setRowCount(len(fa))
        for row, key in enumerate(fa):
            for col, text in enumerate((key, fa[key], fb.get(key, "—"))):
                item = QTableWidgetItem(text)
                if col and fa[key] != fb.get(key):
                    item.setForeground(Qt.GlobalColor.yellow)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self._show_diff()

    def _show_diff(self) -> None:
        """Highlight the recipe differences, or the size ones while the toggle is on."""
        if self.result is None or self.other is None:
            return
        aspect = "size" if self.sizes.isChecked() else "recipe"
        diff_a, diff_b = self.result.highlighted(aspect)
        self.diff = (diff_a, diff_b)
        for scene, view, graph, diff, counts in zip(self.scenes, self.views,
                                                    (self.left, self.other), self.diff,
                                                    self.counts):
            scene.rebuild(SceneInput(graph, graph.variable_values()[0], counts, {},
                                     _family, _doc, diff))
            view.fit()
        verdict = self.result.verdict()
        what = "dimensions" if aspect == "size" else "recipe parts"
        self.note.setText(f"{self.left.name} vs {self.other.name}: {verdict}. "
                          f"{len(diff_a)} {what} of {self.left.name} differ (highlighted).")
        changes = [str(c) for c in self.result.of(aspect)]
        shown = "\n".join(changes[:40] + ([f"… and {len(changes) - 40} more"]
                                          if len(changes) > 40 else []))
        self.note.setToolTip(shown or f"no {aspect} differences")


def _stats_nodes(graph: Graph) -> dict:
    try:
        return stats(graph).nodes
    except Exception:  # noqa: BLE001 - a broken document is still shown, without counts
        return {}


def _family(type_key: str) -> str:
    from olm_studio.controller import DocumentController

    return DocumentController.family_of(type_key)


def _doc(type_key: str) -> str:
    from olm_studio.controller import DocumentController

    return DocumentController.doc_of(type_key)
