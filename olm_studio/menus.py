"""The menu bar and toolbar: File Edit View Model Train Help, with platform shortcuts.

Actions are created here and connected to named commands (:class:`~olm_studio.commands.Commands`,
owned by the window), so the list of what the app can do reads in one place, in menu
order, and the menus never read the window's attributes. The widgets other parts fill in
(Open Recent, Panels, the preset combo) are handed back in a :class:`Menus` object, never
set as attributes on the window, so whoever needs one is given it explicitly. Each key
sequence has one owner (an action's own duplicates, e.g. the platform's Redo plus Ctrl+Y,
are dropped), and actions that replace or close the document carry the
``replaces_document`` property: their slots ask about unsaved edits first (see
:mod:`olm_studio.files`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import QComboBox, QMainWindow, QMenu, QStyle, QToolBar, QToolButton

from olm_studio.commands import Commands
from olm_studio.files import REPLACES_DOCUMENT

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


def _action(window: QMainWindow, menu: QMenu | None, text: str, slot, shortcut=None,  # noqa: ANN001
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
        train_menu: Train (the window adds the Train panel's Start, Stop and Resume).
        preset_combo: the toolbar's preset chooser (filled by the file actions).
        toolbar: the main toolbar.
    """

    actions: dict[str, QAction]
    recent_menu: QMenu
    docks_menu: QMenu
    train_menu: QMenu
    preset_combo: QComboBox
    toolbar: QToolBar


def build_menus(w: QMainWindow, commands: Commands, undo_stack: QUndoStack) -> Menus:
    """Create the menu bar and toolbar of ``w``; returns the actions and fillable menus.

    Each action runs the command of its own key in ``commands`` (looked up when triggered);
    Undo and Redo come from ``undo_stack``.
    """
    a: dict[str, QAction] = {}
    c = commands.bind
    bar = w.menuBar()

    file = bar.addMenu("&File")
    a["new"] = _action(w, file, "&New", c("new"), Std.New, "Start an empty model",
                       replaces=True)
    a["presets"] = _action(w, file, "New from &Preset…", c("presets"), "Ctrl+Shift+N",
                           "Open a reference model from the gallery", replaces=True)
    a["open"] = _action(w, file, "&Open…", c("open"), Std.Open, replaces=True)
    a["open_pretrained"] = _action(w, file, "Open P&retrained…", c("open_pretrained"), None,
                                   "Open a model with its weights: a Hugging Face folder, a "
                                   "project with weights beside it, a checkpoint, a GGUF file",
                                   replaces=True)
    a["open_pretrained"].setObjectName("action_open_pretrained")
    recent_menu = file.addMenu("Open &Recent")
    file.addSeparator()
    a["save"] = _action(w, file, "&Save", c("save"), Std.Save)
    a["save_as"] = _action(w, file, "Save &As…", c("save_as"), Std.SaveAs)
    file.addSeparator()
    a["import_py"] = _action(w, file, "&Import Python…", c("import_py"), "Ctrl+I",
                             "Read a model from a .py file (parsed, never executed)",
                             replaces=True)
    a["import_hf"] = _action(w, file, "Import Pre&trained Folder…", c("import_hf"), None,
                             "Read the architecture of a local Hugging Face folder",
                             replaces=True)
    a["export_py"] = _action(w, file, "&Export Python…", c("export_py"), "Ctrl+E",
                             "Write the model as a stand-alone Python file")
    a["compare"] = _action(w, file, "&Compare with…", c("compare"), None,
                           "Compare this model with another document or preset")
    file.addSeparator()
    a["quit"] = _action(w, file, "&Quit", c("quit"), [Std.Quit, "Ctrl+Q"],
                        replaces=True)

    edit = bar.addMenu("&Edit")
    undo = undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcuts(unique_sequences(Std.Undo))
    undo.setIcon(QIcon.fromTheme("edit-undo", w.style().standardIcon(
        QStyle.StandardPixmap.SP_ArrowBack)))
    redo = undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts(unique_sequences("Ctrl+Shift+Z", "Ctrl+Y", Std.Redo))
    redo.setIcon(QIcon.fromTheme("edit-redo", w.style().standardIcon(
        QStyle.StandardPixmap.SP_ArrowForward)))
    undo.setProperty("shortcut_help", "Undo")
    redo.setProperty("shortcut_help", "Redo")
    edit.addAction(undo)
    edit.addAction(redo)
    a["undo"], a["redo"] = undo, redo
    edit.addSeparator()
    a["cut"] = _action(w, edit, "Cu&t", c("cut"), Std.Cut)
    a["copy"] = _action(w, edit, "&Copy", c("copy"), Std.Copy)
    a["paste"] = _action(w, edit, "&Paste", c("paste"), Std.Paste)
    a["duplicate"] = _action(w, edit, "D&uplicate", c("duplicate"), "Ctrl+D")
    a["delete"] = _action(w, edit, "&Delete", c("delete"),
                          [Std.Delete, "Backspace"])
    # Delete/Backspace delete nodes only while the canvas has the keyboard: typed in a
    # panel (a field that did not take focus) they deleted the selected node. The window
    # gives this action to its canvas (MainWindow.__init__).
    a["delete"].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    edit.addSeparator()
    a["select_all"] = _action(w, edit, "Select &All", c("select_all"), Std.SelectAll)
    a["quick_add"] = _action(w, edit, "&Quick Add…", c("quick_add"), "Ctrl+K",
                             "Search a component and add it (also Tab on the canvas)")
    edit.addSeparator()
    a["settings"] = _action(w, edit, "Se&ttings…", c("settings"), Std.Preferences)

    view = bar.addMenu("&View")
    group = QActionGroup(w)
    a["design_space"] = _action(w, view, "&Design Workspace", c("design_space"),
                                "Ctrl+1", "Canvas, palette and inspector")
    a["train_space"] = _action(w, view, "&Train Workspace", c("train_space"),
                               "Ctrl+2", "Training settings, large plots and runs")
    for key in ("design_space", "train_space"):
        a[key].setCheckable(True)
        group.addAction(a[key])
    a["design_space"].setChecked(True)
    a["design_space"].setIconText("Design")
    a["train_space"].setIconText("▶ Train")
    view.addSeparator()
    a["fit"] = _action(w, view, "&Fit to View", c("fit"), "F")
    a["zoom_in"] = _action(w, view, "Zoom &In", c("zoom_in"), Std.ZoomIn)
    a["zoom_out"] = _action(w, view, "Zoom &Out", c("zoom_out"), Std.ZoomOut)
    a["layout"] = _action(w, view, "Auto-&Layout", c("layout"), "L")
    a["collapse_all"] = _action(w, view, "&Collapse All", c("collapse_all"))
    a["expand_all"] = _action(w, view, "&Expand All", c("expand_all"))
    view.addSeparator()
    a["theme"] = _action(w, view, "Toggle &Dark/Light Theme", c("theme"), "Ctrl+Shift+T")
    a["welcome"] = _action(w, view, "&Welcome Page", c("welcome"))
    view.addSeparator()
    docks_menu = view.addMenu("&Panels")
    a["lock_panels"] = _action(w, docks_menu, "&Lock Panels", c("lock_panels"), None, "Unlock to move panels or float them")
    a["lock_panels"].setCheckable(True)
    a["lock_panels"].setChecked(True)
    docks_menu.addSeparator()

    model = bar.addMenu("&Model")
    a["validate"] = _action(w, model, "Show &Diagnostics", c("validate"))
    a["code"] = _action(w, model, "Show &Code", c("code"))
    a["summary"] = _action(w, model, "Show &Summary", c("summary"))
    a["variables"] = _action(w, model, "Edit &Variables", c("variables"))
    a["rename"] = _action(w, model, "&Rename Model…", c("rename"))
    a["measure_loss"] = _action(w, model, "&Measure Loss Before/After Edits",
                                c("measure_loss"), None,
                                "Held-out loss of the opened weights and of the edited model")
    a["measure_loss"].setObjectName("action_measure_loss")

    train = bar.addMenu("&Train")
    train.addAction(a["train_space"])
    a["experiment"] = _action(w, train, "&Experiment…", c("experiment"), None,
                              "Compare models at equal compute with seeds, or sweep sizes")
    a["experiment"].setObjectName("action_experiment")

    help_ = bar.addMenu("&Help")
    a["guide"] = _action(w, help_, "&User Guide", c("guide"), None,
                         "How to use OLM Studio, with pictures")
    a["lesson"] = _action(w, help_, "&Modernise GPT-2 (guided lesson)", c("lesson"),
                          tip="Swap GPT-2's parts one at a time into Llama 3, with explanations",
                          replaces=True)
    a["lesson"].setObjectName("action_lesson_modernise")
    a["lesson2"] = _action(w, help_, "Beyond Llama: Qwen 3 and DeepSeek-V3 (lesson part 2)",
                           c("lesson2"), replaces=True)
    a["lesson2"].setObjectName("action_lesson_beyond")
    a["shortcuts"] = _action(w, help_, "&Keyboard Shortcuts", c("shortcuts"), "F1")
    a["install_desktop"] = _action(w, help_, "Add to Applications &Menu", c("install_desktop"),
                                   None, "Menu entry, icon, and .olm.json files open here")
    a["about"] = _action(w, help_, "&About OLM Studio", c("about"))

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
    return Menus(a, recent_menu, docks_menu, train, preset_combo, tools)
