"""Issue 12 item 1: every action that replaces or closes the document asks first.

The actions are found from the menus and the toolbar themselves, so an action added later
cannot be forgotten: each one is triggered with unsaved edits, once answering Cancel and
once Discard. An action that replaced the document (or closed the window) must carry the
``replaces_document`` tag, must have asked, and must have changed nothing on Cancel; an
untagged action must never replace the document.
"""

from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMessageBox
from waiting import WAIT_MS

from olm_studio.files import REPLACES_DOCUMENT

Button = QMessageBox.StandardButton


@pytest.fixture
def sources(tmp_path, window, h):
    """A project, a Python file and a Hugging Face folder the dialogs will 'choose'."""
    from olm.graph.to_python import to_python
    from olm.interop.hf import save_hf
    from olm.models import GPT2Model

    project = tmp_path / "other.olm.json"
    assert window.files.save_to(project)  # also puts it in Open Recent
    py = tmp_path / "other.py"
    py.write_text(to_python(h.tiny_graph()), encoding="utf-8")
    torch.manual_seed(0)
    model = GPT2Model(vocab_size=64, embed_dim=32, num_layers=1, num_heads=2, max_seq_len=16)
    hf = save_hf(model, tmp_path / "hf-gpt2")
    return {"project": project, "py": py, "hf": Path(hf)}


@pytest.fixture
def answers(monkeypatch, sources):
    """Dialogs answer from a script; the unsaved-changes question answers ``state['answer']``."""
    from olm_studio.panels import compare, presets

    state = {"answer": Button.Cancel, "asked": []}

    def question(parent, title, text, *a, **k):
        state["asked"].append(title)
        return state["answer"]

    def open_name(parent, title, *a, **k):
        if "pretrained" in title.lower():  # File → Open Pretrained…: a folder's config.json
            return (str(sources["hf"] / "config.json"), "")
        return (str(sources["py"] if "Python" in title else sources["project"]), "")

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_name))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(sources["hf"])))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *a, **k: (2, False)))
    monkeypatch.setattr(compare.CompareDialog, "choose_other", lambda self: None)

    def gallery_exec(self):
        self.chosen = "GPT2"
        return 1

    monkeypatch.setattr(presets.PresetGallery, "exec", gallery_exec)
    # Every other dialog of its own (Settings, About, the user guide) closes as cancelled.
    monkeypatch.setattr(QDialog, "exec", lambda self: 0)
    return state


def _make_dirty(window, h):
    window.controller.set_document(h.tiny_graph())
    window.canvas.edits.replace(h.find(window.controller.graph, "LayerNorm"), "RMSNorm")
    assert window.controller.dirty


def _trigger(window, qtbot, action, state, answer):
    """Trigger ``action`` with unsaved edits; returns (replaced or closed, asked)."""
    state["answer"], state["asked"] = answer, []
    before = window.controller.graph
    window.show()
    action.trigger()
    QApplication.processEvents()
    task = window.pretrained.task  # Open Pretrained… reads the weights off the UI thread
    if task is not None:
        qtbot.waitUntil(lambda: not task.running, timeout=WAIT_MS)
        QApplication.processEvents()
    changed = window.controller.graph is not before or not window.isVisible()
    return changed, "Unsaved changes" in state["asked"]


def _all_actions(window):
    """Every enabled leaf action of the menus and toolbar, by its text (menus may rebuild)."""
    actions = window.menu_actions() + window.toolbar.actions()
    out = {}
    for action in actions:
        if not action.isSeparator() and action.menu() is None:
            out.setdefault(action.text().replace("&", ""), action)
    return out


def test_every_document_replacing_action_is_tagged_and_asks(window, qtbot, h, answers,
                                                            monkeypatch):
    # Start Training replaces nothing; it must not start a real run here (test_train_menu)
    monkeypatch.setattr(window.train.lifecycle, "start_when_checked", lambda: False)
    found = _all_actions(window)
    tagged = sorted(name for name, a in found.items() if a.property(REPLACES_DOCUMENT))
    for expected in ("New", "New from Preset…", "Open…", "Import Python…",
                     "Import Pretrained Folder…", "Open Pretrained…", "Quit", "other.olm.json"):
        assert expected in tagged, f"{expected} is not tagged as replacing the document"
    names = sorted(found, key=lambda n: n == "Quit")  # Quit closes the window: last
    replacing = []
    for name in names:
        _make_dirty(window, h)
        action = _all_actions(window).get(name)
        if action is None or not action.isEnabled():  # e.g. Undo once nothing is left
            continue
        changed, asked = _trigger(window, qtbot, action, answers, Button.Cancel)
        assert not changed, f"{name} replaced the document although the user cancelled"
        _make_dirty(window, h)
        action = _all_actions(window)[name]
        is_tagged = bool(action.property(REPLACES_DOCUMENT))
        changed, asked_again = _trigger(window, qtbot, action, answers, Button.Discard)
        if changed:
            replacing.append(name)
            assert is_tagged, f"{name} replaces the document untagged"
            assert asked and asked_again, f"{name} replaced unsaved edits without asking"
        else:
            assert not is_tagged, f"{name} is tagged but replaced nothing"
    assert sorted(replacing) == tagged


def test_preset_combo_asks_and_names_the_open_model(window, qtbot, h, answers):
    combo = window.preset_combo
    assert combo.property(REPLACES_DOCUMENT)
    _make_dirty(window, h)
    before = window.controller.graph
    index = combo.findData("Llama3_8B") if combo.findData("Llama3_8B") >= 0 else 2
    answers["answer"] = Button.Cancel
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert "Unsaved changes" in answers["asked"]
    assert window.controller.graph is before
    assert combo.currentText().startswith("Custom")  # still names what is open
    answers["answer"] = Button.Discard
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert window.controller.graph is not before
    assert combo.currentData() == combo.itemData(index)
    # An edit makes it custom; undoing back to the preset names the preset again.
    window.canvas.edits.rename_model("mine")
    assert combo.currentText() == "Custom: mine"
    window.controller.undo_stack.undo()
    assert combo.currentData() == combo.itemData(index)


def _drop(window, path: Path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    target = window.canvas.view.viewport()
    pos = QPoint(50, 50)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted()


def test_a_file_dropped_on_the_window_asks_first(window, qtbot, h, answers, sources):
    _make_dirty(window, h)
    before = window.controller.graph
    answers["answer"] = Button.Cancel
    assert _drop(window, sources["project"])
    assert "Unsaved changes" in answers["asked"]
    assert window.controller.graph is before
    answers["answer"] = Button.Discard
    _drop(window, sources["project"])
    assert window.controller.path == sources["project"]
    assert not window.controller.dirty


def test_closing_the_window_asks_first(window, qtbot, h, answers):
    _make_dirty(window, h)
    answers["answer"] = Button.Cancel
    window.close()
    assert window.isVisible() and answers["asked"] == ["Unsaved changes"]
    answers["answer"] = Button.Discard
    window.close()
    assert not window.isVisible()
