"""Parameter editors for the inspector: one fitting widget per parameter kind.

Spin boxes carry the catalog's ranges, choices become combo boxes, flags checkboxes.
Floats use a text field (``1e-5`` is unreadable in a spin box). Every editor reports a
finished value through one callback, so the inspector only turns it into an edit. A
required value that is missing is shown empty and outlined (:func:`set_editor_missing`),
never as the spin box's minimum.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from olm.graph.catalog import ParamSpec

__all__ = ["make_editor", "set_editor_missing", "set_editor_value", "INT_LIMIT", "MISSING_TEXT"]

INT_LIMIT = 2**31 - 1
_NONE = "None"
MISSING_TEXT = "required"
_MISSING_STYLE = "border: 1px solid #ff6b6b;"


def _int_editor(spec: ParamSpec, emit: Callable[[Any], None]) -> QSpinBox:
    box = QSpinBox()
    low, high = spec.range or (-INT_LIMIT, INT_LIMIT)
    box.setRange(int(max(-INT_LIMIT, low)), int(min(INT_LIMIT, high)))
    box.setKeyboardTracking(False)  # one edit per committed value, not per keystroke
    box.setGroupSeparatorShown(True)
    box.setProperty("real_minimum", box.minimum())

    def changed(value: int) -> None:
        if value >= box.property("real_minimum"):  # below it is the "missing" slot
            emit(int(value))

    box.valueChanged.connect(changed)
    return box


def _parse_number(text: str) -> Any:
    text = text.strip().replace("_", "")
    if text in ("", _NONE):
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


def _float_editor(spec: ParamSpec, emit: Callable[[Any], None]) -> QLineEdit:
    edit = QLineEdit()
    low, high = spec.range or (None, None)
    if low is not None:
        edit.setToolTip(f"{low:g} … {high:g}")
    edit.setPlaceholderText("None" if spec.optional else "")

    def commit() -> None:
        try:
            value = _parse_number(edit.text())
        except ValueError:
            edit.setStyleSheet("border: 1px solid #ff5b5b;")
            return
        edit.setStyleSheet("")
        emit(float(value) if isinstance(value, int) else value)

    edit.editingFinished.connect(commit)
    return edit


def _choice_editor(spec: ParamSpec, emit: Callable[[Any], None]) -> QComboBox:
    box = QComboBox()
    choices = list(spec.choices or ())
    if spec.optional and None not in choices:
        choices.insert(0, None)
    for choice in choices:
        box.addItem(_NONE if choice is None else str(choice), choice)
    box.activated.connect(lambda i: emit(box.itemData(i)))
    return box


def _bool_editor(spec: ParamSpec, emit: Callable[[Any], None]) -> QCheckBox:
    box = QCheckBox()
    box.toggled.connect(lambda on: emit(bool(on)))
    return box


def _text_editor(spec: ParamSpec, emit: Callable[[Any], None]) -> QLineEdit:
    edit = QLineEdit()
    as_json = spec.kind not in ("str",)

    def commit() -> None:
        text = edit.text().strip()
        if as_json:
            try:
                value = json.loads(text) if text else None
            except json.JSONDecodeError:
                value = text
        else:
            value = text if text or not spec.optional else None
        emit(value)

    edit.editingFinished.connect(commit)
    return edit


def make_editor(spec: ParamSpec, emit: Callable[[Any], None]) -> QWidget:
    """A widget editing parameter ``spec``; calls ``emit(value)`` when a value is committed."""
    if spec.kind == "int" and not spec.optional:
        return _int_editor(spec, emit)
    if spec.kind in ("float", "int"):
        return _float_editor(spec, emit)
    if spec.kind == "bool":
        return _bool_editor(spec, emit)
    if spec.kind == "choice":
        return _choice_editor(spec, emit)
    return _text_editor(spec, emit)


def set_editor_missing(widget: QWidget, missing: bool) -> None:
    """Show (or stop showing) that ``widget``'s required value is missing: empty, outlined.

    A spin box gets one slot below its minimum that reads as :data:`MISSING_TEXT` (Qt's
    special value text); text fields are emptied and say it as their placeholder.
    """
    if bool(widget.property("missing")) == missing:
        return
    widget.setProperty("missing", missing)
    widget.blockSignals(True)
    try:
        if isinstance(widget, QSpinBox):
            low = widget.property("real_minimum")
            low = widget.minimum() if low is None else int(low)
            if missing:
                widget.setMinimum(low - 1)
                widget.setSpecialValueText(MISSING_TEXT)
                widget.setValue(low - 1)
            else:
                widget.setSpecialValueText("")
                widget.setMinimum(low)
        elif isinstance(widget, QLineEdit):
            if missing:
                widget.setText("")
                widget.setProperty("plain_placeholder", widget.placeholderText())
                widget.setPlaceholderText(MISSING_TEXT)
            else:
                widget.setPlaceholderText(str(widget.property("plain_placeholder") or ""))
    finally:
        widget.blockSignals(False)
    widget.setStyleSheet(_MISSING_STYLE if missing else "")
    note = "<b>Required: no value yet.</b> "
    widget.setToolTip((note if missing else "") + widget.toolTip().removeprefix(note))


def set_editor_bound(widget: QWidget, variable: str | None) -> None:
    """Show that ``widget``'s value comes from a model variable (None: it is its own).

    A bound number or text field turns read-only, not disabled: a disabled field does not
    take focus when clicked, so the keyboard stayed on the canvas and Backspace, meant for
    the field, deleted the selected node. Choices and switches have no read-only state and
    are disabled, but still take focus on a click (they are rarely bound).
    """
    bound = variable is not None
    if isinstance(widget, (QAbstractSpinBox, QLineEdit)):
        widget.setEnabled(True)
        widget.setReadOnly(bound)
    else:
        widget.setEnabled(not bound)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.setProperty("bound_to", variable)
    note = f"<b>Bound to the variable {variable}:</b> edit it in Model variables, or Unbind. "
    tip = widget.toolTip()
    if "<b>Bound to the variable " in tip:
        tip = tip[tip.index(" or Unbind. ") + len(" or Unbind. "):]
    widget.setToolTip((note if bound else "") + tip)


def set_editor_value(widget: QWidget, value: Any) -> None:
    """Show ``value`` in ``widget`` without emitting an edit."""
    widget.blockSignals(True)
    try:
        if isinstance(widget, QSpinBox):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                widget.setValue(int(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index < 0 and value is not None:
                widget.addItem(str(value), value)
                index = widget.count() - 1
            widget.setCurrentIndex(max(0, index))
        elif isinstance(widget, QLineEdit):
            if value is None:
                widget.setText("")
            elif isinstance(value, float):
                widget.setText(f"{value:g}")
            elif isinstance(value, (dict, list)):
                widget.setText(json.dumps(value))
            else:
                widget.setText(str(value))
    finally:
        widget.blockSignals(False)
