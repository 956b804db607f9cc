"""Issue 12 item 6 (window side): nothing shown describes an earlier state."""

from PySide6.QtWidgets import QApplication


def test_hint_card_goes_once_its_step_is_done(window, h):
    window.hint.show_card()
    assert window.hint.visible()
    graph = window.controller.graph
    norms = [i for i in graph.walk() if graph.nodes[i].type == "LayerNorm"]
    window.canvas.replace(norms[0], "RMSNorm")
    assert window.hint.visible()  # two LayerNorms left: the step is not done
    window.canvas.edits.replace_all("LayerNorm", "RMSNorm")
    assert not window.hint.visible()


def test_hint_card_goes_when_a_model_without_its_step_opens_behind_train(window):
    import olm.graph
    from olm.models import Llama3Model

    window.hint.show_card()
    window.set_workspace("train")  # the canvas, and the card with it, is covered
    llama = Llama3Model(vocab_size=64, embed_dim=32, intermediate_size=64, num_layers=1,
                        num_heads=2, num_kv_heads=1, max_seq_len=32)
    window.controller.set_document(olm.graph.from_module(llama, name="llama"))
    window.set_workspace("design")
    assert not window.hint.visible()  # no LayerNorm left to replace


def test_a_status_tip_does_not_hide_the_figures(window):
    figures = window.figure_line.figures_label
    assert figures.isVisible() and "params" in figures.text()
    action = window.actions_by_key["import_py"]
    action.showStatusText(window)  # what hovering the menu entry does
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == action.statusTip()
    assert figures.isVisible() and window.figure_line.validity.isVisible()


def test_preset_combo_names_the_open_model(window, tmp_path, h):
    combo = window.preset_combo
    assert window.files.open_preset("Llama3_8B") or window.files.open_preset("GPT2")
    name = window.controller.graph.name
    assert combo.currentData() is not None and combo.currentText().startswith(
        combo.itemData(combo.currentIndex()))
    assert name  # the preset's document
    path = tmp_path / "mine.olm.json"
    window.canvas.edits.rename_model("mine")
    assert combo.currentText() == "Custom: mine"
    assert window.files.save_to(path)
    assert window.files.open_path(path)
    assert combo.currentIndex() == 0 and combo.currentText() == "Custom: mine"
