"""The inspector: the selected node's parameters with fitting editors, each bindable
to a model variable, plus the node's own diagnostics.

The form is rebuilt when the selection (or the node's type) changes and only refreshed
in place after other edits, so typing into one field never loses focus. Every change is
an edit through :class:`~olm_studio.edits.Edits`, hence undoable. When several parts of
one type are selected, the form edits all of them at once (one undo step per change).
A required value that is still missing shows empty and marked, never a made-up number.
Labels, bindings and messages wrap, so the panel reads fully at 1280×800.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from olm.graph.catalog import ParamSpec, catalog
from olm.graph.commands import UNSET
from olm.graph.values import resolve, tag_of
from olm.graph.variables import canonical_name
from olm_studio.canvas.looks import format_count
from olm_studio.controller import DocumentController
from olm_studio.panels.editors import (
    make_editor,
    set_editor_bound,
    set_editor_missing,
    set_editor_value,
)
from olm_studio.panels.pattern_edit import PatternEdit
from olm_studio.rich import rst_to_html, tooltip_html
from olm_studio.theme import FAMILY_COLORS

__all__ = ["InspectorPanel", "breakable"]


def breakable(name: str, longest: int = 22) -> str:
    """A type name longer than ``longest`` characters with break opportunities between its
    words (zero-width spaces), so ``PartialScaledRotaryPositionalEmbedding`` wraps in a
    narrow panel instead of being cut; shorter names are left as they are."""
    if len(name) <= longest:
        return name
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "\u200b", name)


class _Row:
    def __init__(self, spec: ParamSpec, editor: QWidget, bind: QToolButton,
                 label: QLabel | None = None) -> None:
        self.spec, self.editor, self.bind = spec, editor, bind
        self.label = label or QLabel(spec.name)


class InspectorPanel(QWidget):
    """Edits the parameters of the selected node.

    Args:
        controller: the document controller.
        parent: the owning widget.
    """

    def __init__(self, controller: DocumentController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A click anywhere in the panel takes the keyboard from the canvas, so Delete and
        # Backspace typed here never delete the selected node.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.controller = controller
        self.node_id: str | None = None
        self.node_ids: list[str] = []  # every node the form edits (a same-type selection)
        self._type: str | None = None
        self.rows: dict[str, _Row] = {}
        self.title = QLabel("Nothing selected", self)
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.subtitle = QLabel("Select a component on the canvas to edit it.", self)
        self.subtitle.setWordWrap(True)
        self.form_host = QWidget(self)
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.diag = QLabel("", self)
        self.diag.setWordWrap(True)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(8, 8, 8, 8)
        inner_layout.addWidget(self.title)
        inner_layout.addWidget(self.subtitle)
        inner_layout.addWidget(self.form_host)
        inner_layout.addWidget(self.diag)
        inner_layout.addStretch(1)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        controller.selection_changed.connect(self._on_selection)
        controller.document_replaced.connect(lambda: self.show_node(None))
        controller.figures_changed.connect(lambda _f: self._after_edit())

    @property
    def edits(self):  # noqa: ANN201
        """The window's edit layer (shared with the canvas)."""
        return self.window().canvas.edits

    # -- building -------------------------------------------------------------------------
    def _on_selection(self, ids: list[str]) -> None:
        graph = self.controller.graph
        types = {graph.nodes[i].type for i in ids if i in graph.nodes}
        if len(ids) > 1 and len(types) == 1:
            self.show_node(ids[0], others=ids[1:])
        else:
            self.show_node(ids[0] if len(ids) == 1 else None, count=len(ids))

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.rows = {}

    def show_node(self, node_id: str | None, count: int = 0,
                  others: list[str] | None = None) -> None:
        """Show the editors of ``node_id`` (None: an empty or multi-selection note).

        ``others`` are more nodes of the same type that every change applies to too.
        """
        self._clear()
        graph = self.controller.graph
        self.node_id = node_id if node_id in graph.nodes else None
        self.node_ids = [self.node_id] + [i for i in others or [] if i in graph.nodes] \
            if self.node_id else []
        if self.node_id is None:
            self._type = None
            if count > 1:
                self.title.setText(f"{count} parts selected")
                self.subtitle.setText("Parts of different types: right-click to wrap, "
                                      "replace or delete them together.")
            else:
                self._overview()
            self.diag.setText("")
            return
        node = graph.nodes[self.node_id]
        self._type = node.type
        family = self.controller.family_of(node.type)
        colour = FAMILY_COLORS.get(family, "#8c96a3")
        many = f"{len(self.node_ids)} × " if len(self.node_ids) > 1 else ""
        self.title.setText(f"<span style='color:{colour}'>■</span> {many}{breakable(node.type)}")
        doc = self.controller.doc_of(node.type) or (
            "A container: its parts run in order." if node.is_container else "")
        self.subtitle.setText(rst_to_html(doc) + (
            f"<br><i>Changes apply to all {len(self.node_ids)} selected.</i>"
            if len(self.node_ids) > 1 else ""))
        if node.type == "Repeat":
            self._repeat_rows()
        elif node.type == "Parallel":
            self._parallel_rows()
        elif not node.is_container and node.type in catalog():
            for spec in catalog().get(node.type).params:
                self._add_row(spec)
        self._after_edit()

    def _overview(self) -> None:
        graph = self.controller.graph
        figures = self.controller.figures
        leaves = sum(1 for n in graph.nodes.values() if not n.is_container)
        total = figures.counts.get(graph.root)
        self.title.setText(graph.name)
        self.subtitle.setText(
            f"{format_count(total)} parameters · {leaves} components\n\n"
            "Click a component to edit it. Drag parts from the palette onto the canvas, "
            "into a container or onto a wire; Tab searches. Right-click to replace, wrap "
            "or delete.")

    def _add_row(self, spec: ParamSpec) -> None:
        node_id = self.node_id
        label = QLabel(spec.name)
        label.setWordWrap(True)
        label.setToolTip(tooltip_html(spec.name, spec.doc or ""))
        if spec.kind == "module":
            self.form.addRow(label, self._owned_widget(spec))
            return
        if spec.kind == "module-ref":
            self.form.addRow(label, self._ref_widget(spec))
            return
        editor = make_editor(spec, lambda v, n=spec.name: self._commit(node_id, n, v))
        editor.setToolTip(tooltip_html(spec.name, spec.doc or ""))
        bind = QToolButton()
        bind.setText("var")
        bind.setToolTip("Bind to a model variable")
        bind.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        bind.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bind.setMenu(QMenu(bind))
        bind.menu().aboutToShow.connect(lambda s=spec, b=bind: self._fill_bind_menu(s, b.menu()))
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        row.addWidget(bind)
        self.form.addRow(label, holder)
        self.rows[spec.name] = _Row(spec, editor, bind, label)

    def _repeat_rows(self) -> None:
        spec = ParamSpec("num_repeat", "int", 2, (1, 1024), None,
                         "How many copies (each with its own weights).", False, True)
        self._add_row(spec)
        self.pattern_edit = PatternEdit(self.controller, self.edits, self.node_id)
        self.form.addRow(QLabel("pattern"), self.pattern_edit)

    def _parallel_rows(self) -> None:
        box = QComboBox()
        for merge in ("sum", "mean", "concat"):
            box.addItem(merge, merge)
        node_id = self.node_id
        box.activated.connect(lambda i: self.edits.set_merge(node_id, box.itemData(i)))
        spec = ParamSpec("merge", "choice", "sum", None, ("sum", "mean", "concat"),
                         "How the branches' outputs are combined.", False, False)
        self.form.addRow(QLabel("merge"), box)
        self.rows["merge"] = _Row(spec, box, QToolButton())

    def _owned_widget(self, spec: ParamSpec) -> QWidget:
        graph = self.controller.graph
        value = graph.nodes[self.node_id].params.get(spec.name)
        if tag_of(value) != "module" or value["module"] not in graph.nodes:
            return QLabel("default")
        owned = value["module"]
        button = QPushButton(f"{graph.nodes[owned].type}  →")
        button.setToolTip("Edit this component")
        button.clicked.connect(lambda: self.controller.select([owned]))
        return button

    def _ref_widget(self, spec: ParamSpec) -> QWidget:
        graph = self.controller.graph
        box = QComboBox()
        box.addItem("not tied", None)
        for node_id, node in graph.nodes.items():
            if self.controller.family_of(node.type) == "embedding" and node.type == "Embedding":
                box.addItem(f"tied to {node.type}", {"ref": node_id})
        current = graph.nodes[self.node_id].params.get(spec.name)
        index = box.findData(current) if current else 0
        box.setCurrentIndex(max(0, index))
        node_id = self.node_id
        box.activated.connect(lambda i: self._commit(node_id, spec.name, box.itemData(i)))
        return box

    # -- values ---------------------------------------------------------------------------
    def _after_edit(self) -> None:
        graph = self.controller.graph
        if self.node_id is not None and self.node_id not in graph.nodes:
            self.show_node(None)
            return
        if self.node_id is None:
            if not self.rows and self.title.text() and "selected" not in self.title.text():
                self._overview()
            return
        node = graph.nodes[self.node_id]
        if node.type != self._type:
            self.show_node(self.node_id, others=self.node_ids[1:])
            return
        env = self.controller.figures.env
        for name, row in self.rows.items():
            raw = node.params.get(name, UNSET)
            value = row.spec.default if raw is UNSET else raw
            tag = tag_of(value)
            try:
                shown = resolve(value, env) if tag in ("var", "expr") else value
            except Exception:  # noqa: BLE001 - an unresolvable binding shows its text
                shown = None
            if tag == "expr":
                shown = value["expr"]
            missing = repr(shown) == "REQUIRED"
            if not row.editor.hasFocus():
                set_editor_value(row.editor, None if missing else shown)
            set_editor_missing(row.editor, missing)
            row.label.setStyleSheet("color: #ff6b6b; font-weight: bold;" if missing else "")
            row.label.setText(f"{name} *" if missing else name)
            set_editor_bound(row.editor, value["var"] if tag == "var" else None)
            row.bind.setText(f"= {value['var']}" if tag == "var" else "var")
            row.bind.setStyleSheet("font-weight: bold; color: #5fb3ff;" if tag == "var" else "")
        self._show_diagnostics()

    def _show_diagnostics(self) -> None:
        figures = self.controller.figures
        lines = []
        count = figures.counts.get(self.node_id)
        if count is not None:
            lines.append(f"<b>{format_count(count)}</b> parameters ({count:,})")
        for d in figures.by_node.get(self.node_id, []):
            colour = "#ff6b6b" if d.severity == "error" else "#f0b43c"
            mark = "✗" if d.severity == "error" else "⚠"
            lines.append(f"<span style='color:{colour}'>{mark} {d.message}</span>")
        self.diag.setText("<br>".join(lines))

    def _commit(self, node_id: str | None, name: str, value: Any) -> None:
        if node_id is None or node_id not in self.controller.graph.nodes:
            return
        node = self.controller.graph.nodes[node_id]
        ids = self.node_ids if node_id == self.node_id and len(self.node_ids) > 1 else [node_id]
        if node.type == "Repeat" and name == "num_repeat" and len(ids) == 1:
            self.edits.set_repeat_count(node_id, value)
        elif len(ids) > 1:
            graph = self.controller.graph
            if any(graph.nodes[i].params.get(name, UNSET) != value for i in ids
                   if i in graph.nodes):
                self.edits.set_param_many(ids, name, value)
        elif node.params.get(name, UNSET) != value:
            self.edits.set_param(node_id, name, value)
        self._after_edit()

    def _fill_bind_menu(self, spec: ParamSpec, menu: QMenu) -> None:
        menu.clear()
        graph = self.controller.graph
        node_id = self.node_id
        current = graph.nodes[node_id].params.get(spec.name)
        natural = canonical_name(spec.name)
        names = sorted(graph.variables, key=lambda n: (n != natural, n))
        for var in names:
            action = menu.addAction(f"Bind to {var}  ({graph.variables[var]})")
            action.setCheckable(True)
            action.setChecked(current == {"var": var})
            action.triggered.connect(
                lambda _=False, v=var: self._commit(node_id, spec.name, {"var": v}))
        if tag_of(current) is None and isinstance(current, (int, float)) and not isinstance(current, bool):
            new_name = natural or spec.name
            if new_name not in graph.variables:
                menu.addAction(f"New variable {new_name} = {current}").triggered.connect(
                    lambda: self._make_variable(node_id, spec.name, new_name, current))
        menu.addSeparator()
        if tag_of(current) in ("var", "expr"):
            env = self.controller.figures.env
            try:
                literal = resolve(current, env)
            except Exception:  # noqa: BLE001
                literal = None
            menu.addAction("Unbind (keep the value)").triggered.connect(
                lambda: self._commit(node_id, spec.name, literal))
        menu.addAction("Reset to default").triggered.connect(
            lambda: self._commit(node_id, spec.name, UNSET))

    def _make_variable(self, node_id: str, param: str, var: str, value: Any) -> None:
        from olm.graph.commands import Macro, SetParam, SetVariable

        self.edits.run(Macro(f"new variable {var}", [SetVariable(var, value),
                                                     SetParam(node_id, param, {"var": var})]))

    def spin_for(self, name: str) -> QSpinBox | None:
        """The spin box editing ``name`` (for tests and keyboard focus)."""
        row = self.rows.get(name)
        return row.editor if row and isinstance(row.editor, QSpinBox) else None
