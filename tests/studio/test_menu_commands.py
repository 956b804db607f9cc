"""Menus call named commands: every action runs the command of its own key."""

import pytest

from olm_studio.commands import Commands


def test_a_command_name_has_one_command_and_unknown_names_are_refused():
    commands = Commands()
    ran = []
    commands.add("fit", lambda: ran.append("fit"))
    with pytest.raises(ValueError, match="'fit' is already registered"):
        commands.add("fit", lambda: None)
    bound = commands.bind("fit")
    bound()
    assert ran == ["fit"]
    with pytest.raises(KeyError, match="no command called 'fitt'"):
        commands.run("fitt")


def test_every_menu_action_has_a_command_and_triggering_it_runs_that_command(window):
    keys = [k for k in window.actions_by_key if k not in ("undo", "redo")]
    missing = [k for k in keys if k not in window.commands]
    assert not missing, f"menu actions without a command: {missing}"
    ran = []
    window.commands._table["rename"] = lambda: ran.append("rename")  # stand-in: no dialog
    window.actions_by_key["rename"].trigger()
    assert ran == ["rename"]


def test_the_menus_module_reads_no_window_attributes():
    import ast
    import inspect

    import olm_studio.menus as menus

    tree = ast.parse(inspect.getsource(menus))
    build = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_menus")
    read = sorted({n.attr for n in ast.walk(build) if isinstance(n, ast.Attribute)
                   and isinstance(n.value, ast.Name) and n.value.id == "w"})
    # Only Qt's own QMainWindow API: the window's parts are reached through commands.
    assert set(read) <= {"menuBar", "style", "addToolBar", "addAction"}, read
