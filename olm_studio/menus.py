"""The menu bar and toolbar: File Edit View Model Train Help, with platform shortcuts.

Actions are created here and connected to the window's slots by name, so the list of
what the app can do reads in one place, in menu order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QMenu, QToolBar

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["build_menus"]

Std = QKeySequence.StandardKey


def _action(window: MainWindow, menu: QMenu | None, text: str, slot, shortcut=None,  # noqa: ANN001
            tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        if isinstance(shortcut, (list, tuple)):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        else:
            action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda *_: slot())
    if menu is not None:
        menu.addAction(action)
    return action


def build_menus(w: MainWindow) -> dict[str, QAction]:
    """Create the menu bar and toolbar of ``w``; returns the actions by key."""
    a: dict[str, QAction] = {}
    bar = w.menuBar()

    file = bar.addMenu("&File")
    a["new"] = _action(w, file, "&New", w.new_document, Std.New, "Start an empty model")
    a["presets"] = _action(w, file, "New from &Preset…", w.show_presets, "Ctrl+Shift+N",
                           "Open a reference model from the gallery")
    a["open"] = _action(w, file, "&Open…", w.open_dialog, Std.Open)
    a["open_pretrained"] = _action(w, file, "Open P&retrained…", w.open_pretrained, None,
                                   "Open a model with its weights: a Hugging Face folder, a "
                                   "project with weights beside it, a checkpoint, a GGUF file")
    a["open_pretrained"].setObjectName("action_open_pretrained")
    w.recent_menu = file.addMenu("Open &Recent")
    file.addSeparator()
    a["save"] = _action(w, file, "&Save", w.save, Std.Save)
    a["save_as"] = _action(w, file, "Save &As…", w.save_as, Std.SaveAs)
    file.addSeparator()
    a["import_py"] = _action(w, file, "&Import Python…", w.import_python, "Ctrl+I",
                             "Read a model from a .py file (parsed, never executed)")
    a["export_py"] = _action(w, file, "&Export Python…", w.export_python, "Ctrl+E",
                             "Write the model as a stand-alone Python file")
    a["compare"] = _action(w, file, "&Compare with…", w.compare_dialog, None,
                           "Compare this model with another document or preset")
    file.addSeparator()
    a["quit"] = _action(w, file, "&Quit", w.close, Std.Quit)

    edit = bar.addMenu("&Edit")
    undo = w.controller.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence(Std.Undo))
    redo = w.controller.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence(Std.Redo), QKeySequence("Ctrl+Shift+Z"),
                       QKeySequence("Ctrl+Y")])
    edit.addAction(undo)
    edit.addAction(redo)
    a["undo"], a["redo"] = undo, redo
    edit.addSeparator()
    a["cut"] = _action(w, edit, "Cu&t", w.canvas.cut, Std.Cut)
    a["copy"] = _action(w, edit, "&Copy", w.canvas.copy, Std.Copy)
    a["paste"] = _action(w, edit, "&Paste", w.canvas.paste, Std.Paste)
    a["duplicate"] = _action(w, edit, "D&uplicate", w.canvas.duplicate, "Ctrl+D")
    a["delete"] = _action(w, edit, "&Delete", w.canvas.delete_selection,
                          [QKeySequence(Std.Delete), QKeySequence("Backspace")])
    edit.addSeparator()
    a["select_all"] = _action(w, edit, "Select &All", w.canvas.select_all, Std.SelectAll)
    a["quick_add"] = _action(w, edit, "&Quick Add…", w.canvas.quick_add_at_cursor, "Ctrl+K",
                             "Search a component and add it (also Tab on the canvas)")

    view = bar.addMenu("&View")
    a["fit"] = _action(w, view, "&Fit to View", w.fit_canvas, "F")
    a["zoom_in"] = _action(w, view, "Zoom &In", lambda: w.canvas.view.zoom_by(1.25), Std.ZoomIn)
    a["zoom_out"] = _action(w, view, "Zoom &Out", lambda: w.canvas.view.zoom_by(0.8), Std.ZoomOut)
    a["layout"] = _action(w, view, "Auto-&Layout", w.canvas.auto_layout, "L")
    a["collapse_all"] = _action(w, view, "&Collapse All", lambda: w.canvas.set_all_collapsed(True))
    a["expand_all"] = _action(w, view, "&Expand All", lambda: w.canvas.set_all_collapsed(False))
    view.addSeparator()
    a["theme"] = _action(w, view, "Toggle &Dark/Light Theme", w.toggle_theme, "Ctrl+Shift+T")
    view.addSeparator()
    w.docks_menu = view.addMenu("&Panels")

    model = bar.addMenu("&Model")
    a["validate"] = _action(w, model, "Show &Diagnostics", lambda: w.show_tab("Diagnostics"))
    a["code"] = _action(w, model, "Show &Code", lambda: w.show_tab("Code"))
    a["summary"] = _action(w, model, "Show &Summary", lambda: w.show_tab("Summary"))
    a["variables"] = _action(w, model, "Edit &Variables", w.focus_variables)
    a["rename"] = _action(w, model, "&Rename Model…", w.rename_model)
    a["measure_loss"] = _action(w, model, "&Measure Loss Before/After Edits",
                                w.measure_pretrained_loss, None,
                                "Held-out loss of the opened weights and of the edited model")
    a["measure_loss"].setObjectName("action_measure_loss")

    train = bar.addMenu("&Train")
    a["train"] = _action(w, train, "&Train Panel", lambda: w.show_tab("Train"), "Ctrl+T")

    help_ = bar.addMenu("&Help")
    a["shortcuts"] = _action(w, help_, "&Keyboard Shortcuts", w.show_shortcuts, Std.HelpContents)
    a["about"] = _action(w, help_, "&About OLM Studio", w.show_about)

    tools = QToolBar("Main", w)
    tools.setObjectName("toolbar")
    tools.setMovable(False)
    w.addToolBar(tools)
    w.preset_combo = QComboBox(tools)
    w.preset_combo.setToolTip("Open a preset model")
    w.preset_combo.setMinimumContentsLength(18)
    tools.addWidget(w.preset_combo)
    tools.addAction(a["presets"])
    tools.addSeparator()
    tools.addAction(undo)
    tools.addAction(redo)
    tools.addSeparator()
    tools.addAction(a["fit"])
    tools.addAction(a["layout"])
    tools.addSeparator()
    a["train_button"] = _action(w, None, "▶ Train", lambda: w.show_tab("Train"))
    tools.addAction(a["train_button"])
    for action in a.values():
        w.addAction(action)
    return a
