"""The layer strip of a heterogeneous ``Repeat``: one cell per layer, coloured by variant.

A stack such as Gemma 3's (five local layers to one global) is one ``Repeat`` with two
variants and a pattern. The frame draws its variants side by side, each titled with its
letter and how many layers it makes, and under the header this strip shows the whole
stack at a glance: ``A A A A A B A A A A A B ...``. Which layer is which comes from
:mod:`olm.graph.repeat`, the one place that rule is spelled.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from olm.graph.document import Graph, Node
from olm.graph.node_text import variant_labels
from olm.graph.repeat import PATTERN, layer_variants
from olm_studio.canvas.layout import STRIP_H

__all__ = ["STRIP_H", "VARIANT_COLORS", "variant_letter", "has_strip", "strip_pattern",
           "variant_title", "paint_strip"]

# Distinct, colour-blind-friendly hues (Okabe-Ito), one per variant, cycled.
VARIANT_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00")


def variant_letter(index: int) -> str:
    """A, B, C, ... (then A2, B2, ... past Z)."""
    letter = chr(ord("A") + index % 26)
    return letter if index < 26 else f"{letter}{index // 26 + 1}"


def has_strip(node: Node) -> bool:
    """True for a ``Repeat`` whose layers differ (several variants or a stated pattern)."""
    return node.type == "Repeat" and (len(node.children) > 1 or PATTERN in node.params)


def strip_pattern(node: Node, env: dict[str, Any]) -> list[int] | None:
    """Each layer's variant, or None when the pattern does not fit (validate says why)."""
    try:
        return layer_variants(node, env)
    except Exception:  # noqa: BLE001 - an invalid pattern draws no strip
        return None


def variant_title(graph: Graph, node_id: str, env: dict[str, Any]) -> str | None:
    """"B · global · 4 of 26 layers" for a child of a multi-variant Repeat, else None.

    The variant is named by what differs from its siblings
    (:func:`olm.graph.node_text.variant_labels`); identical copies keep "Variant B".
    """
    parent_id = graph.parent_of(node_id)
    parent = graph.nodes.get(parent_id) if parent_id else None
    if parent is None or parent.type != "Repeat" or len(parent.children) < 2:
        return None
    index = parent.children.index(node_id)
    label = variant_labels(graph, parent_id, env)[index]
    name = (f"Variant {variant_letter(index)}" if label.startswith("variant ")
            else f"{variant_letter(index)} · {label}")
    layers = strip_pattern(parent, env)
    if layers is None:
        return name
    return f"{name} · {layers.count(index)} of {len(layers)} layers"


def paint_strip(painter: QPainter, rect: QRectF, layers: list[int], border: str) -> None:
    """Paint one cell per layer into ``rect`` (cells shrink to fit; at least a hairline)."""
    if not layers:
        return
    cell = rect.width() / len(layers)
    gap = 1.0 if cell >= 4 else 0.0
    painter.setPen(Qt.PenStyle.NoPen)
    for i, variant in enumerate(layers):
        painter.setBrush(QColor(VARIANT_COLORS[variant % len(VARIANT_COLORS)]))
        painter.drawRect(QRectF(rect.left() + i * cell, rect.top(), max(cell - gap, 0.5),
                                rect.height()))
    painter.setPen(QPen(QColor(border), 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
