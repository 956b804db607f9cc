"""File → Compare with…: recipe apart from size (issue 12 item 8), through the real menu."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from olm_studio.panels.compare import CompareDialog


def _menu_action(window, menu_title, text):
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu_title:
            for action in top.menu().actions():
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu_title} → {text}")


def _highlighted(dialog, side):
    scene = dialog.scenes[side]
    graph = dialog.left if side == 0 else dialog.other
    return {graph.nodes[i].type for i in graph.walk()
            if scene.primary(i) is not None and scene.primary(i).look.diff}


def _compare_through_menu(window, qtbot, monkeypatch, choice, inspect):
    """Trigger File → Compare with…, pick ``choice``, run ``inspect(dialog)`` while it is up."""
    monkeypatch.setattr(QInputDialog, "getItem",
                        staticmethod(lambda *a, **k: (choice, True)))
    seen = {}

    def look() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, CompareDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, look)
            return
        try:
            seen.update(inspect(dialog))
        finally:
            dialog.accept()

    QTimer.singleShot(0, look)
    _menu_action(window, "File", "Compare with…").trigger()
    return seen


def test_same_recipe_different_size_highlights_nothing_until_sizes_are_asked_for(
        window, qtbot, monkeypatch):
    assert window.files.open_preset("Llama3_2_1B")
    assert window.canvas.edits.set_variable("embed_dim", 1024)
    assert window.canvas.edits.set_variable("num_layers", 4)

    def inspect(dialog):
        out = {"note": dialog.note.text(), "recipe": (_highlighted(dialog, 0),
                                                      _highlighted(dialog, 1))}
        assert not dialog.sizes.isChecked()
        qtbot.mouseClick(dialog.sizes, Qt.MouseButton.LeftButton)
        out["sizes"] = (_highlighted(dialog, 0), _highlighted(dialog, 1))
        out["size_note"] = dialog.note.text()
        return out

    seen = _compare_through_menu(window, qtbot, monkeypatch, "Llama3_2_1B", inspect)
    assert "same recipe, different size" in seen["note"]
    assert seen["recipe"] == (set(), set())
    # On the toggle, the parts whose width or count changed light up on both sides.
    left, right = seen["sizes"]
    assert {"RMSNorm", "GroupedQueryAttention", "SwiGLUFFN", "Embedding", "Repeat"} <= left
    assert left == right
    assert "dimensions" in seen["size_note"]


def test_a_recipe_change_is_highlighted_by_default_and_sizes_stay_dark(
        window, qtbot, monkeypatch, h):
    assert window.files.open_preset("GPT2")
    graph = window.controller.graph
    for node_id in [i for i in graph.walk() if graph.nodes[i].type == "LayerNorm"]:
        assert window.canvas.edits.replace(node_id, "RMSNorm")

    def inspect(dialog):
        out = {"note": dialog.note.text(), "recipe": (_highlighted(dialog, 0),
                                                      _highlighted(dialog, 1)),
               "tip": dialog.note.toolTip()}
        dialog.sizes.setChecked(True)
        out["sizes"] = (_highlighted(dialog, 0), _highlighted(dialog, 1))
        return out

    seen = _compare_through_menu(window, qtbot, monkeypatch, "GPT2", inspect)
    assert "different recipe, same size" in seen["note"]
    assert "RMSNorm → LayerNorm" in seen["tip"]  # the changes themselves, open → other
    assert seen["recipe"] == ({"RMSNorm"}, {"LayerNorm"})
    assert seen["sizes"] == (set(), set())
