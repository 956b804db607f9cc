"""Right-click actions for heterogeneous stacks: add or remove a layer variant, set the pattern.

Kept apart from the editor's general menu: a ``Repeat`` offers "Add layer variant" (a copy
of its last variant, alternating with the others) and "Set layer pattern…"; a variant of a
multi-variant ``Repeat`` offers "Remove this layer variant". Each action is one undoable
edit through :class:`~olm_studio.edits.Edits`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QMenu

from olm.core.errors import OLMError
from olm.graph.document import Graph
from olm.graph.repeat import PATTERN, pattern_from_text
from olm_studio.canvas.layer_strip import variant_letter

__all__ = ["variant_menu", "ask_pattern"]


def variant_menu(menu: QMenu, editor: Any, graph: Graph, node_id: str) -> None:
    """Add the layer-variant actions that apply to ``node_id`` to ``menu``."""
    node = graph.nodes[node_id]
    edits = editor.edits
    if node.type == "Repeat":
        menu.addAction("Add layer variant").triggered.connect(
            lambda: edits.add_variant(node_id))
        menu.addAction("Set layer pattern…").triggered.connect(
            lambda: ask_pattern(editor, graph, node_id))
    parent_id = graph.parent_of(node_id)
    parent = graph.nodes.get(parent_id) if parent_id else None
    if parent is not None and parent.type == "Repeat" and len(parent.children) > 1:
        letter = variant_letter(parent.children.index(node_id))
        menu.addAction(f"Remove layer variant {letter}").triggered.connect(
            lambda: edits.remove_variant(parent_id, node_id))


def ask_pattern(editor: Any, graph: Graph, node_id: str) -> bool:
    """Ask for a Repeat's layer pattern ("A A A A A B" or "0 0 0 0 0 1") and set it."""
    node = graph.nodes[node_id]
    current = node.params.get(PATTERN, list(range(len(node.children))))
    shown = " ".join(variant_letter(p) for p in current) if isinstance(current, list) else ""
    text, ok = QInputDialog.getText(editor, "Layer pattern",
                                    "Variants, cycled over the layers (e.g. A A A A A B):",
                                    text=shown)
    if not ok:
        return False
    try:
        pattern = pattern_from_text(text)
    except OLMError as err:
        editor.edits.report(str(err))
        return False
    return editor.edits.set_param(node_id, PATTERN, pattern)
