"""Files: save/open round trip, recent files, export/import Python, prompts, recovery."""

import ast

import torch
from PySide6.QtWidgets import QMessageBox

from olm.graph.project import load
from olm.graph.to_module import build
from olm_studio.main_window import MainWindow
from olm_studio.settings import StudioSettings


def shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def test_save_open_round_trip_keeps_model_and_view_state(window, qtbot, tmp_path, h, studio_home):
    graph = window.controller.graph
    window.canvas.edits.replace(h.find(graph, "LayerNorm"), "RMSNorm")
    window.canvas.toggle_collapsed(h.find(graph, "Repeat"))
    assert window.controller.dirty and window.isWindowModified()
    path = tmp_path / "model.olm.json"
    assert window.files.save_to(path)
    assert not window.controller.dirty
    assert window.windowTitle().startswith("model.olm.json")
    assert str(path.resolve()) in StudioSettings(studio_home).recent_files()
    assert [a.text() for a in window.recent_menu.actions()] == ["model.olm.json"]

    other = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(other)
    assert other.files.open_path(path)
    reopened = other.controller.graph
    assert reopened == graph  # same model (equality ignores ids and layout)
    assert reopened.layout == graph.layout  # collapsed flag kept
    assert other.controller.path == path
    assert shapes(build(reopened, device="meta")) == shapes(build(graph, device="meta"))


def test_unsaved_changes_prompt_can_cancel(window, monkeypatch, h):
    graph = window.controller.graph
    window.canvas.edits.delete([h.find(graph, "AbsolutePositionalEmbedding")])
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.Cancel))
    window.commands.run("new")
    assert asked == ["Unsaved changes"]
    assert window.controller.graph is graph  # nothing lost
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    window.commands.run("new")
    assert window.controller.graph is not graph
    assert not window.controller.dirty


def test_export_python_builds_the_same_model(window, tmp_path, h):
    graph = window.controller.graph
    window.canvas.edits.replace(h.find(graph, "ClassicFFN"), "SwiGLUFFN")
    out = tmp_path / "exported.py"
    assert window.files.imports.export_python_to(out)
    source = out.read_text()
    ast.parse(source)
    assert "SwiGLUFFN" in source
    namespace = {"__name__": "exported"}
    with torch.device("meta"):
        exec(compile(source, str(out), "exec"), namespace)  # our own generated code
    built = [v for v in namespace.values() if isinstance(v, torch.nn.Module)]
    assert built, "the exported file defines the model at top level"
    assert shapes(built[-1]) == shapes(build(graph, device="meta"))


def test_code_tab_is_live_and_highlighted(window, h):
    window.show_tab("Code")
    window.tabs.refresh_code()
    assert "FlashAttention" in window.code.source()
    window.canvas.edits.replace(h.find(window.controller.graph, "FlashAttention"),
                                "MultiHeadAttention")
    window.tabs.refresh_code()
    assert "MultiHeadAttention(" in window.code.source()
    block = window.code.editor.document().firstBlock()
    assert block.layout().formats(), "the highlighter coloured the first line"


def test_import_python_reads_a_model_file(window, tmp_path):
    source = """
from olm.nn.structure import Block
from olm.nn.embeddings import Embedding
from olm.nn.norms import RMSNorm
from olm.nn.blocks import OutputHead

vocab_size, embed_dim = 100, 32
model = Block([Embedding(vocab_size, embed_dim), RMSNorm(embed_dim), OutputHead(embed_dim, vocab_size)])
"""
    path = tmp_path / "mine.py"
    path.write_text(source)
    assert window.files.imports.import_python_from(path)
    graph = window.controller.graph
    types = [graph.nodes[i].type for i in graph.order(graph.root)]
    assert types == ["Embedding", "RMSNorm", "OutputHead"]
    assert graph.variables["embed_dim"] == 32
    assert window.controller.dirty


def test_import_python_never_executes_the_file(window, tmp_path, no_blocking_dialogs):
    marker = tmp_path / "executed"
    path = tmp_path / "hostile.py"
    path.write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    before = window.controller.graph
    assert not window.files.imports.import_python_from(path)
    assert not marker.exists()
    assert window.controller.graph is before
    assert any("Cannot import" in m for m in no_blocking_dialogs)


def test_recovery_after_a_simulated_crash(qtbot, studio_home, monkeypatch, h):
    first = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(first)
    first.controller.set_document(h.tiny_graph())
    graph = first.controller.graph
    first.canvas.edits.replace(h.find(graph, "LayerNorm"), "RMSNorm")
    first.files.autosave()  # what the timer does every few seconds
    settings = StudioSettings(studio_home)
    assert settings.recovery_path.exists()
    assert load(settings.recovery_path) == graph
    # "crash": the window goes away without closeEvent, so the recovery file stays
    first.files.autosave_timer.stop()

    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Yes))
    second = MainWindow(settings=StudioSettings(studio_home))
    qtbot.addWidget(second)
    second.open_initial(None)
    assert second.files.offer_recovery()
    assert second.controller.graph == graph
    assert second.controller.dirty  # recovered work is unsaved work
    second.files.save_to(studio_home / "saved.olm.json")
    assert not settings.recovery_path.exists()  # saved: nothing left to recover


def test_clean_exit_leaves_no_recovery_file(window, studio_home, h):
    window.canvas.edits.delete([h.find(window.controller.graph, "AbsolutePositionalEmbedding")])
    window.files.autosave()
    assert StudioSettings(studio_home).recovery_path.exists()
    window.controller.undo_stack.setClean()
    window.close()
    assert not StudioSettings(studio_home).recovery_path.exists()


def test_presets_gallery_lists_every_preset_with_year(qtbot):
    from olm.models import PRESETS
    from olm_studio.panels.presets import PresetGallery

    gallery = PresetGallery()
    qtbot.addWidget(gallery)
    assert sorted(gallery.names()) == sorted(PRESETS)
    years = [int(gallery.table.item(r, 2).text()) for r in range(gallery.table.rowCount())]
    assert years == sorted(years)
    row = gallery.names().index("Llama3_1_8B")
    assert gallery.table.item(row, 4).text() == PRESETS["Llama3_1_8B"].notable
    gallery.search.setText("gemma")
    assert all("Gemma" in n for n in gallery.names())
    gallery.select(gallery.names()[0])
    gallery._accept()
    assert gallery.chosen.startswith("Gemma")


def test_compare_highlights_the_parts_that_differ(qtbot, h):
    from olm.graph.diff import differences
    from olm_studio.panels.compare import CompareDialog

    a = h.tiny_graph()
    b = h.tiny_graph()
    from olm.graph.commands import ReplaceNode

    ReplaceNode(h.find(b, "LayerNorm"), "RMSNorm").do(b)
    diff_a, diff_b = differences(a, b)
    assert diff_a == {h.find(a, "LayerNorm")}
    assert diff_b == {h.find(b, "RMSNorm")}
    dialog = CompareDialog(a)
    qtbot.addWidget(dialog)
    dialog.set_other(b)
    assert dialog.scenes[1].primary(h.find(b, "RMSNorm")).look.diff
    assert not dialog.scenes[1].primary(h.find(b, "ClassicFFN")).look.diff
    assert dialog.table.rowCount() >= 3
