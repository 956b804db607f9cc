"""Driving the Studio the way a person does: by what the window shows, not by attributes.

Journey tests find a widget by its visible text, its label in a form, or its tab title,
and act on it with the mouse and the keyboard, so they keep working while a panel's
internal structure is redesigned (the Train panel's was, while these were written). Every
finder names what it looked for and what the window showed instead when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QTabWidget,
    QWidget,
)
from waiting import WAIT_MS

__all__ = ["record_dialogs", "plain", "menu_action", "trigger_menu", "button", "click", "field", "type_into",
           "choose", "show_tab", "key"]


def record_dialogs(monkeypatch) -> list[str]:  # noqa: ANN001 - pytest's fixture
    """No modal message box may block a journey: what each would say is recorded (and
    returned) instead; a question about unsaved changes answers Discard."""
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(
            lambda parent, title, text, *a, **k: said.append(f"{title}: {text}")))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: QMessageBox.StandardButton.Discard))
    return said


def plain(text: str) -> str:
    """What a person reads on a control: no mnemonic ``&``, no leading symbol (▶ ■ ⟳), no
    trailing ellipsis, single spaces."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    text = re.sub(r"^[^\w(]+", "", text).removesuffix("…").removesuffix("...")
    return " ".join(text.split())


def _titles(actions: Iterable[QAction]) -> list[str]:
    return [plain(a.text()) for a in actions if a.text()]


def menu_action(window: QMainWindow, *path: str) -> QAction:
    """The action at ``path`` of the menu bar (``"File", "Export Python"``), by its text."""
    actions = window.menuBar().actions()
    for depth, title in enumerate(path):
        found = [a for a in actions if plain(a.text()) == plain(title)]
        if not found:
            raise AssertionError(f"no menu entry {' → '.join(path[:depth + 1])!r}; "
                                 f"the menu shows {_titles(actions)}")
        action = found[0]
        if depth == len(path) - 1:
            return action
        menu = action.menu()
        if menu is None:
            raise AssertionError(f"{title!r} is not a menu")
        menu.aboutToShow.emit()  # menus filled on opening (recent files) fill now
        actions = menu.actions()
    raise AssertionError("an empty menu path")


def trigger_menu(window: QMainWindow, *path: str) -> None:
    """Choose the menu entry at ``path``; it must be enabled, as a person needs it to be."""
    action = menu_action(window, *path)
    assert action.isEnabled(), f"{' → '.join(path)} is disabled"
    action.trigger()


def _visible(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def button(root: QWidget, text: str,
           kind: type[QAbstractButton] = QAbstractButton) -> QAbstractButton:
    """The one visible button (of ``kind``: a push button, not a toolbar's tool button)
    whose text reads ``text`` (symbols and ``&`` aside)."""
    shown = [b for b in root.findChildren(kind) if _visible(b)]
    found = [b for b in shown if plain(b.text()) == plain(text)]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} visible buttons read {text!r}; the visible "
                             f"buttons read {sorted({plain(b.text()) for b in shown})}")
    return found[0]


def click(qtbot, widget: QWidget) -> None:  # noqa: ANN001 - pytest-qt's fixture
    """A left click in the middle of ``widget`` (enabled, as a person needs it)."""
    assert widget.isEnabled(), f"{plain(getattr(widget, 'text', lambda: '')()) or widget} " \
                               "is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def field(root: QWidget, label: str) -> QWidget:
    """The visible field a form labels ``label`` (``"Steps"``)."""
    seen = []
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            name = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            value = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if name is None or value is None or not isinstance(name.widget(), QLabel):
                continue
            seen.append(name.widget().text())
            widget = value.widget()
            if plain(name.widget().text()) == plain(label) and widget is not None:
                return widget
    raise AssertionError(f"no form field labelled {label!r}; the forms label {seen}")


def type_into(qtbot, widget: QWidget, text: str) -> None:  # noqa: ANN001
    """Click into ``widget``, select what it holds and type ``text``, then Tab away."""
    target = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    click(qtbot, target)
    qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(target, text)
    qtbot.keyClick(target, Qt.Key.Key_Tab)


def choose(qtbot, combo: QComboBox, text: str) -> None:  # noqa: ANN001
    """Open ``combo``'s list and pick the entry that reads ``text`` (or starts with it)
    with the keyboard, as a person does (the combo's ``activated`` fires)."""
    items = [combo.itemText(i) for i in range(combo.count())]
    index = next((i for i, t in enumerate(items) if plain(t) == plain(text)), None)
    if index is None:
        index = next((i for i, t in enumerate(items) if plain(t).startswith(plain(text))), None)
    if index is None:
        raise AssertionError(f"{text!r} is not in the list; it shows {items}")
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=WAIT_MS)
    view.setCurrentIndex(combo.model().index(index, combo.modelColumn()))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert combo.currentIndex() == index, (combo.currentText(), text)


def show_tab(qtbot, root: QWidget, title: str) -> QWidget:  # noqa: ANN001
    """Click the visible tab titled ``title``; returns the page it shows."""
    seen = []
    for tabs in root.findChildren(QTabWidget):
        if not _visible(tabs):
            continue
        for i in range(tabs.count()):
            seen.append(tabs.tabText(i))
            if plain(tabs.tabText(i)) == plain(title):
                bar = tabs.tabBar()
                qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
                assert tabs.currentIndex() == i, f"the {title!r} tab did not come up"
                return tabs.widget(i)
    raise AssertionError(f"no visible tab {title!r}; the tabs read {seen}")


def key(qtbot, window: QWidget, sequence: str) -> None:  # noqa: ANN001
    """Press a shortcut such as ``"Ctrl+2"`` on the focused widget of ``window``."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    combo = QKeySequence(sequence)[0]
    if QApplication.activeWindow() is not window:  # keys go to the window one looks at
        window.raise_()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    target = QApplication.focusWidget()
    if target is None or not target.isEnabled() or target.window() is not window:
        target = window  # the key goes to the window when no enabled widget has focus
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())
