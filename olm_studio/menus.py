"""The menu bar and toolbar: File Edit View Model Train Help, with platform shortcuts.

Actions are created here and connected to the window's slots by name, so the list of
what the app can do reads in one place, in menu order. The widgets other parts fill in
(Open Recent, Panels, the preset combo) are handed back in a :class:`Menus` object, never
set as attributes on the window, so whoever needs one is given it explicitly. Each key
sequence has one owner (an action's own duplicates, e.g. the platform's Redo plus Ctrl+Y,
are dropped), and actions that replace or close the document carry the
``replaces_document`` property: their slots ask about unsaved edits first (see
:mod:`olm_studio.files`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QComboBox, QMenu, QStyle, QToolBar, QToolButton

from olm_studio.files import REPLACES_DOCUMENT

if TYPE_CHECKING:
    from olm_studio.main_window import MainWindow

__all__ = ["Menus", "build_menus"]

Std = QKeySequence.StandardKey
_DEDICATED_KEYS = Qt.Key.Key_Back.value  # Qt's multimedia/launcher keys start here


def unique_sequences(*shortcuts: object) -> list[QKeySequence]:
    """Key sequences without repeats or empties (a platform key list may repeat one).

    Qt reports "Ambiguous shortcut overload" and does nothing when one sequence is
    registered twice, even twice on the same action.
    """
    out: list[QKeySequence] = []
    for shortcut in shortcuts:
        if isinstance(shortcut, QKeySequence.StandardKey):
            found = QKeySequence.keyBindings(shortcut)
        else:
            found = [QKeySequence(shortcut)]
        for seq in found:
            if seq.isEmpty() or seq[0].key().value >= _DEDICATED_KEYS:
                continue  # "New", "Undo", "Zoom In": keys most keyboards do not have
            if seq.toString() not in [o.toString() for o in out]:
                out.append(seq)
    return out


def _action(window: MainWindow, menu: QMenu | None, text: str, slot, shortcut=None,  # noqa: ANN001
            tip: str = "", replaces: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        many = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
        action.setShortcuts(unique_sequences(*many))
    if replaces:
        action.setProperty(REPLACES_DOCUMENT, True)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda *_: slot())
    if menu is not None:
        menu.addAction(action)
    return action


@dataclass
class Menus:
    """What :func:`build_menus` made that others act on.

    Args:
        actions: every action, by key ("new", "save", "compare", ...).
        recent_menu: File → Open Recent (filled by the file actions).
        docks_menu: View → Panels (filled by the window with its docks).
        preset_combo: the toolbar's preset chooser (filled by the file actions).
        toolbar: the main toolbar.
    """

    actions: dict[str, QAction]
    recent_menu: QMenu
    docks_menu: QMenu
    preset_combo: QComboBox
    toolbar: QToolBar


def build_menus(w: MainWindow) -> Menus:
    """Create the menu bar and toolbar of ``w``; returns the actions and fillable menus."""
    a: dict[str, QAction] = {}
    bar = w.menuBar()

    file = bar.addMenu("&File")
    a["new"] = _action(w, file, "&New", w.new_document, Std.New, "Start an empty model",
                       replaces=True)
    a["presets"] = _action(w, file, "New from &Preset…", w.show_presets, "Ctrl+Shift+N",
                           "Open a reference model from the gallery", replaces=True)
    a["open"] = _action(w, file, "&Open…", w.open_dialog, Std.Open, replaces=True)
    a["open_pretrained"] = _action(w, file, "Open P&retrained…", w.open_pretrained, None,
                                   "Open a model with its weights: a Hugging Face folder, a "
                                   "project with weights beside it, a checkpoint, a GGUF file",
                                   replaces=True)
    a["open_pretrained"].setObjectName("action_open_pretrained")
    recent_menu = file.addMenu("Open &Recent")
    file.addSeparator()
    a["save"] = _action(w, file, "&Save", w.save, Std.Save)
    a["save_as"] = _action(w, file, "Save &As…", w.save_as, Std.SaveAs)
    file.addSeparator()
    a["import_py"] = _action(w, file, "&Import Python…", w.import_python, "Ctrl+I",
                             "Read a model from a .py file (parsed, never executed)",
                             replaces=True)
    a["import_hf"] = _action(w, file, "Import Pre&trained Folder…", w.import_pretrained, None,
                             "Read the architecture of a local Hugging Face folder",
                             replaces=True)
    a["export_py"] = _action(w, file, "&Export Python…", w.export_python, "Ctrl+E",
                             "Write the model as a stand-alone Python file")
    a["compare"] = _action(w, file, "&Compare with…", w.compare_dialog, None,
                           "Compare this model with another document or preset")
    file.addSeparator()
    a["quit"] = _action(w, file, "&Quit", w.close, [Std.Quit, "Ctrl+Q"],
                        replaces=True)

    edit = bar.addMenu("&Edit")
    undo = w.controller.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcuts(unique_sequences(Std.Undo))
    undo.setIcon(QIcon.fromTheme("edit-undo", w.style().standardIcon(
        QStyle.StandardPixmap.SP_ArrowBack)))
    redo = w.controller.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts(unique_sequences("Ctrl+Shift+Z", "Ctrl+Y", Std.Redo))
    redo.setIcon(QIcon.fromTheme("edit-redo", w.style().standardIcon(
        QStyle.StandardPixmap.SP_ArrowForward)))
    undo.setProperty("shortcut_help", "Undo")
    redo.setProperty("shortcut_help", "Redo")
    edit.addAction(undo)
    edit.addAction(redo)
    a["undo"], a["redo"] = undo, redo
    edit.addSeparator()
    a["cut"] = _action(w, edit, "Cu&t", w.canvas.cut, Std.Cut)
    a["copy"] = _action(w, edit, "&Copy", w.canvas.copy, Std.Copy)
    a["paste"] = _action(w, edit, "&Paste", w.canvas.paste, Std.Paste)
    a["duplicate"] = _action(w, edit, "D&uplicate", w.canvas.duplicate, "Ctrl+D")
    a["delete"] = _action(w, edit, "&Delete", w.canvas.delete_selection,
                          [Std.Delete, "Backspace"])
    # Delete/Backspace delete nodes only while the canvas has the keyboard: typed in a
    # panel (a field that did not take focus) they deleted the selected node.
    a["delete"].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    w.canvas.addAction(a["delete"])
    edit.addSeparator()
    a["select_all"] = _action(w, edit, "Select &All", w.canvas.select_all, Std.SelectAll)
    a["quick_add"] = _action(w, edit, "&Quick Add…", w.canvas.quick_add_at_cursor, "Ctrl+K",
                             "Search a component and add it (also Tab on the canvas)")
    edit.addSeparator()
    a["settings"] = _action(w, edit, "Se&ttings…", w.show_settings, Std.Preferences)

    view = bar.addMenu("&View")
    group = QActionGroup(w)
    a["design_space"] = _action(w, view, "&Design Workspace", lambda: w.set_workspace("design"),
                                "Ctrl+1", "Canvas, palette and inspector")
    a["train_space"] = _action(w, view, "&Train Workspace", lambda: w.set_workspace("train"),
                               "Ctrl+2", "Training settings, large plots and runs")
    for key in ("design_space", "train_space"):
        a[key].setCheckable(True)
        group.addAction(a[key])
    a["design_space"].setChecked(True)
    a["design_space"].setIconText("Design")
    a["train_space"].setIconText("▶ Train")
    view.addSeparator()
    a["fit"] = _action(w, view, "&Fit to View", w.fit_canvas, "F")
    a["zoom_in"] = _action(w, view, "Zoom &In", lambda: w.canvas.view.zoom_by(1.25), Std.ZoomIn)
    a["zoom_out"] = _action(w, view, "Zoom &Out", lambda: w.canvas.view.zoom_by(0.8), Std.ZoomOut)
    a["layout"] = _action(w, view, "Auto-&Layout", w.canvas.auto_layout, "L")
    a["collapse_all"] = _action(w, view, "&Collapse All", lambda: w.canvas.set_all_collapsed(True))
    a["expand_all"] = _action(w, view, "&Expand All", lambda: w.canvas.set_all_collapsed(False))
    view.addSeparator()
    a["theme"] = _action(w, view, "Toggle &Dark/Light Theme", w.toggle_theme, "Ctrl+Shift+T")
    a["welcome"] = _action(w, view, "&Welcome Page", w.show_welcome)
    view.addSeparator()
    docks_menu = view.addMenu("&Panels")
    a["lock_panels"] = _action(w, docks_menu, "&Lock Panels", lambda: w.set_panels_locked(
        a["lock_panels"].isChecked()), None, "Unlock to move panels or float them")
    a["lock_panels"].setCheckable(True)
    a["lock_panels"].setChecked(True)
    docks_menu.addSeparator()

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
    train.addAction(a["train_space"])

    help_ = bar.addMenu("&Help")
    a["guide"] = _action(w, help_, "&User Guide", w.show_guide, None,
                         "How to use OLM Studio, with pictures")
    a["lesson"] = _action(w, help_, "&Modernise GPT-2 (guided lesson)", w.start_lesson,
                          tip="Swap GPT-2's parts one at a time into Llama 3, with explanations",
                          replaces=True)
    a["lesson"].setObjectName("action_lesson_modernise")
    a["lesson2"] = _action(w, help_, "Beyond Llama: Qwen 3 and DeepSeek-V3 (lesson part 2)",
                           lambda: w.start_lesson("beyond-llama"), replaces=True)
    a["lesson2"].setObjectName("action_lesson_beyond")
    a["shortcuts"] = _action(w, help_, "&Keyboard Shortcuts", w.show_shortcuts, "F1")
    a["install_desktop"] = _action(w, help_, "Add to Applications &Menu", w.install_desktop,
                                   None, "Menu entry, icon, and .olm.json files open here")
    a["about"] = _action(w, help_, "&About OLM Studio", w.show_about)

    tools = QToolBar("Main", w)
    tools.setObjectName("toolbar")
    tools.setMovable(False)
    w.addToolBar(tools)
    preset_combo = QComboBox(tools)
    preset_combo.setToolTip("Open a preset model")
    preset_combo.setMinimumContentsLength(18)
    preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    tools.addWidget(preset_combo)
    tools.addAction(a["presets"])
    tools.addSeparator()
    tools.addAction(undo)
    tools.addAction(redo)
    for action in (undo, redo):  # icons: "Undo <long text>" must not shift the toolbar
        button = tools.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    tools.addSeparator()
    tools.addAction(a["fit"])
    tools.addAction(a["layout"])
    tools.addSeparator()
    tools.addAction(a["design_space"])
    tools.addAction(a["train_space"])
    for action in a.values():
        if action is not a["delete"]:  # the canvas's own (see above), not window-wide
            w.addAction(action)
    return Menus(a, recent_menu, docks_menu, preset_combo, tools)
