"""Named commands: what the menus, the toolbar and the welcome page can ask the window to do.

The window owns one :class:`Commands` table and fills it with the objects that do each job
(file actions, canvas edits, help dialogs, ...). The menus and the welcome page only know
command names, so they never read the window's attributes and a job can move from one
object to another without touching them. A name is looked up when the command runs, so
menus can be built before the object that answers a command exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Commands"]


class Commands:
    """A table of named commands (name → callable taking no arguments)."""

    def __init__(self) -> None:
        self._table: dict[str, Callable[[], Any]] = {}

    def add(self, name: str, command: Callable[[], Any]) -> None:
        """Register ``command`` under ``name``; a name has exactly one command."""
        if name in self._table:
            raise ValueError(f"command {name!r} is already registered; a name has one command")
        self._table[name] = command

    def update(self, commands: dict[str, Callable[[], Any]]) -> None:
        """Register several commands at once (see :meth:`add`)."""
        for name, command in commands.items():
            self.add(name, command)

    def run(self, name: str) -> Any:
        """Run the command called ``name`` and return what it returns."""
        try:
            command = self._table[name]
        except KeyError:
            raise KeyError(f"no command called {name!r}; known: {', '.join(sorted(self._table))}") \
                from None
        return command()

    def bind(self, name: str) -> Callable[[], Any]:
        """A callable that runs ``name`` when called (looked up then, not now)."""
        return lambda *_args: self.run(name)

    def names(self) -> list[str]:
        """Every registered command name, sorted."""
        return sorted(self._table)

    def __contains__(self, name: object) -> bool:
        return name in self._table
