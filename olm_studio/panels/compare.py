"""Compare: two documents side by side, the components that differ highlighted, with
their parameter and FLOP figures.

Components are matched by their place in the tree (the same path of container indices);
a place where the type or any resolved parameter differs is highlighted on both sides.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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

from olm.graph.document import Graph
from olm.graph.stats import stats
from olm.graph.values import resolve, tag_of
from olm_studio.canvas.looks import format_bytes, format_count
from olm_studio.canvas.scene import GraphScene, SceneInput
from olm_studio.canvas.view import CanvasView

__all__ = ["CompareDialog", "differences"]


def _signature(graph: Graph, node_id: str, env: dict[str, Any]) -> Any:
    node = graph.nodes[node_id]
    params = {}
    for k, v in node.params.items():
        tag = tag_of(v)
        if tag in ("ref", "module"):
            params[k] = tag
            continue
        try:
            params[k] = resolve(v, env)
        except Exception:  # noqa: BLE001
            params[k] = repr(v)
    return node.type, sorted(params.items(), key=lambda kv: kv[0])


def _paths(graph: Graph) -> dict[tuple, str]:
    out: dict[tuple, str] = {}

    def visit(node_id: str, path: tuple) -> None:
        out[path] = node_id
        for i, child in enumerate(graph.order(node_id) if graph.nodes[node_id].is_container
                                  else []):
            visit(child, path + (i,))

    visit(graph.root, ())
    return out


def differences(a: Graph, b: Graph) -> tuple[set[str], set[str]]:
    """Node ids of ``a`` and of ``b`` whose place holds something different in the other."""
    env_a, env_b = a.variable_values()[0], b.variable_values()[0]
    pa, pb = _paths(a), _paths(b)
    diff_a: set[str] = set()
    diff_b: set[str] = set()
    for path, node_id in pa.items():
        other = pb.get(path)
        if other is None or _signature(a, node_id, env_a) != _signature(b, other, env_b):
            if not a.nodes[node_id].is_container or other is None or \
                    a.nodes[node_id].type != b.nodes[other].type:
                diff_a.add(node_id)
                if other is not None:
                    diff_b.add(other)
    for path, node_id in pb.items():
        if path not in pa:
            diff_b.add(node_id)
    return diff_a, diff_b


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
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
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
        diff_a, diff_b = differences(self.left, other)
        self.diff = (diff_a, diff_b)
        for scene, view, graph, diff in zip(self.scenes, self.views, (self.left, other),
                                            (diff_a, diff_b)):
            s = stats(graph)
            counts = {k: v.params for k, v in s.nodes.items()}
            scene.rebuild(SceneInput(graph, graph.variable_values()[0], counts, {},
                                     _family, _doc, diff))
            view.fit()
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
        self.note.setText(f"{len(diff_a)} components of {self.left.name} differ from "
                          f"{other.name} (highlighted).")


def _family(type_key: str) -> str:
    from olm_studio.controller import DocumentController

    return DocumentController.family_of(type_key)


def _doc(type_key: str) -> str:
    from olm_studio.controller import DocumentController

    return DocumentController.doc_of(type_key)
