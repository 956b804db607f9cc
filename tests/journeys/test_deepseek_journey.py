"""Journey (c), issue 24: DeepSeek-V3 opened, a node clicked, an edit made, nothing freezes.

Driven only through the menus, the gallery, the mouse and the keyboard at 1280×800 and
1600×1000. Each step is measured with the Studio's event-loop heartbeat
(:class:`olm_studio.stall_meter.StallMeter`). The target is 100 ms
(``benchmarks/ui_stall.py`` reports the real figures); on a loaded CI machine the test
allows 500 ms, far below the 1.9 s an inspector click took and the seconds opening took.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from waiting import WAIT_MS

from olm_studio.stall_meter import StallMeter

LOADED_MACHINE_MS = 500.0


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setenv("OLM_STUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OLM_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    (tmp_path / "home").mkdir()
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings
    from olm_studio.torch_loader import torch_loader

    w = MainWindow(settings=StudioSettings(tmp_path / "home"))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    loader = torch_loader()  # as the app does once its window is up (app.py)
    loader.start()
    assert loader.wait(WAIT_MS / 1000)
    yield w
    w.files.stop_autosave(remove=True)


def _choose_in_gallery(monkeypatch, name):
    """The gallery, when File → New from Preset… opens it: select ``name``, press OK.

    Its ``exec`` (a nested modal loop offscreen tests cannot reach into) is replaced by
    showing it and pressing its own accept button with ``name`` selected.
    """
    from PySide6.QtWidgets import QDialogButtonBox

    from olm_studio.panels.presets import PresetGallery

    def exec_(gallery):
        gallery.show()
        gallery.select(name)
        box = gallery.findChild(QDialogButtonBox)
        (ok,) = [b for b in box.buttons()
                 if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole]
        ok.click()
        return gallery.result()

    monkeypatch.setattr(PresetGallery, "exec", exec_)


def _click_node(qtbot, window, node_id):
    view = window.canvas.view
    item = window.canvas.scene.primary(node_id)
    assert item is not None, "the node is not drawn"
    view.centerOn(item)
    at = view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_open_select_edit_deepseek_v3_without_a_stall(qtbot, window, size, monkeypatch):
    window.resize(*size)
    meter = StallMeter(10)
    stalls = {}
    # open: File → New from Preset… → DeepSeekV3 → OK
    action = window.findChild(QAction, "action_presets") or next(
        a for a in window.menuBar().actions()[0].menu().actions()
        if a.text().startswith("New from &Preset"))

    _choose_in_gallery(monkeypatch, "DeepSeekV3")
    stalls["open"] = meter.measure(action.trigger)
    graph = window.controller.graph
    assert graph.name.startswith("DeepSeekV3")
    # expand the layers (the header's toggle, as a click would) and click the attention
    for node_id in list(graph.walk()):
        if graph.nodes[node_id].type == "Repeat" and graph.layout.get(node_id, {}).get("collapsed"):
            stalls[f"expand {node_id[:6]}"] = meter.measure(
                lambda n=node_id: window.canvas.toggle_collapsed(n))
    attn = next(i for i in graph.walk() if graph.nodes[i].type == "MultiHeadLatentAttention")
    stalls["click"] = meter.measure(lambda: _click_node(qtbot, window, attn))
    assert window.controller.selection == [attn]
    assert window.inspector.node_id == attn
    # an edit in the inspector: kv_lora_rank 512 → 256, typed into its field
    editor = window.inspector.rows["kv_lora_rank"].editor

    def edit():
        editor.setFocus()
        editor.selectAll()
        qtbot.keyClicks(editor, "256")
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    stalls["edit"] = meter.measure(edit)
    assert graph.nodes[attn].params["kv_lora_rank"] == 256
    assert "kv rank 256" in window.canvas.scene.primary(attn).look.values
    worst = max(stalls.values())
    assert worst < LOADED_MACHINE_MS, stalls
