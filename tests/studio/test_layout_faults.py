"""Issue 12 items 5 (inspector layout) and 10 (layout churn and small faults)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QToolButton
from waiting import WAIT_MS

from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings


@pytest.fixture
def window_1280(qtbot, studio_home):
    w = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(w)
    w.open_initial("GPT2")
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=WAIT_MS)
    yield w
    w.files.stop_autosave(remove=False)


def _inside(widget, area) -> bool:
    """``widget`` lies horizontally within ``area`` (nothing cut at the right edge)."""
    left = widget.mapTo(area, widget.rect().topLeft()).x()
    return left >= 0 and left + widget.width() <= area.width() + 1


def test_inspector_reads_fully_at_1280x800(window_1280, qtbot):
    w = window_1280
    assert (w.width(), w.height()) == (1280, 800)  # nothing forces the window wider
    graph = w.controller.graph
    attention = next(i for i in graph.walk()
                     if w.controller.family_of(graph.nodes[i].type) == "attention")
    w.controller.select([attention])
    w.canvas.replace(attention, "GroupedQueryAttention")
    w.controller.select([])
    w.controller.select([attention])
    QApplication.processEvents()
    inspector = w.inspector
    viewport = inspector.form_host.parentWidget()
    title = inspector.title
    assert title.width() <= viewport.width()
    assert title.heightForWidth(title.width()) <= title.height() + 1
    bound = 0
    for name, row in inspector.rows.items():
        metrics = row.label.fontMetrics()
        assert metrics.horizontalAdvance(row.label.text()) <= row.label.width(), name
        assert _inside(row.editor, viewport) and _inside(row.bind, viewport), name
        text = row.bind.text()
        if text.startswith("="):
            bound += 1
            assert row.bind.width() >= row.bind.sizeHint().width(), f"{name}: {text!r} is cut"
    assert bound >= 3  # embed_dim, num_heads, max_seq_len are shown bound
    # Diagnostics wrap inside the panel.
    assert inspector.diag.wordWrap() and _inside(inspector.diag, viewport)


def test_undo_redo_buttons_keep_their_place(window_1280):
    w = window_1280
    buttons = [w.toolbar.widgetForAction(w.actions_by_key[k]) for k in ("undo", "redo", "fit")]
    assert all(isinstance(b, QToolButton) for b in buttons)
    undo, redo, fit = buttons
    assert undo.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    before = (undo.width(), redo.geometry().x(), fit.geometry().x())
    w.canvas.edits.replace_all("LayerNorm", "RMSNorm")
    QApplication.processEvents()
    assert "Undo replace 3 LayerNorm with RMSNorm" in undo.toolTip()
    assert (undo.width(), redo.geometry().x(), fit.geometry().x()) == before


def test_screenshot_of_an_invalid_file_fails_on_stderr(qtbot, tmp_path, capsys):
    from olm_studio.app import main

    bad = tmp_path / "broken.olm.json"
    bad.write_text("{not json")
    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out), str(bad)]) != 0
    captured = capsys.readouterr()
    assert "broken.olm.json" in captured.err and not out.exists()


def test_focus_returns_to_the_window_after_a_file_dialog(window_1280, qtbot, monkeypatch):
    w = window_1280

    def dialog(*_a, **_k):
        w.palette.search.setFocus()  # where a closing dialog may leave the focus
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(dialog))
    w.canvas.edits.rename_model("edited")
    w.controller.undo_stack.setClean()
    qtbot.keyClick(w.canvas.view, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is w.canvas.view
    before = w.controller.graph
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert w.controller.graph is not before  # Ctrl+N worked without clicking the canvas
