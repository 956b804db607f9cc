"""The `olm` command line: one sub-command per module under `olm.cli`.

Each sub-command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (a callable taking the parsed ``argparse.Namespace`` and returning an exit code).
Errors meant for the user are raised as :class:`olm.core.errors.OLMError` and printed
as one clear line, never a traceback, with exit status 2. So are the file-system errors a
user causes (a read-only folder, a parent that is a file, a name too long): the line
names the file and the reason. ``--debug`` (anywhere on the command line, or
``OLM_DEBUG=1``) shows the traceback instead, for reporting a bug.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from typing import NoReturn

from olm.core.errors import OLMError

__all__ = ["main", "build_parser"]

# Sub-command modules, in the order `olm --help` lists them.
_COMMANDS = ("info", "export", "train", "compare", "sweep", "generate", "eval", "import_hf")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line too (``--help`` shows the usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="olm",
        description="Build, inspect, train and export language models made of olm parts.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"olm.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"olm.cli.{name}":
                continue  # not built yet
            raise
        module.register(sub)
    return parser


def _one_line(text: str) -> str:
    """``text`` on one line (a hostile file name may hold line breaks)."""
    return " ".join(str(text).split("\n")).strip()


def _os_error(err: OSError) -> str:
    names = [n for n in (err.filename, err.filename2) if n]
    reason = err.strerror or type(err).__name__
    return f"{' -> '.join(map(str, names))}: {reason}" if names else reason


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("OLM_DEBUG", "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    parser = build_parser()
    parser.add_argument("--debug", action="store_true", help="show tracebacks (for bug reports)")
    args = parser.parse_args(argv)
    prefix = f"olm {args.command}"
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    except Exception as err:  # noqa: BLE001 - the one place errors become exit codes
        if debug:
            traceback.print_exc()
        if isinstance(err, OLMError):
            message, status = str(err), 2
        elif isinstance(err, OSError):
            message, status = _os_error(err), 2
        elif isinstance(err, (MemoryError, RecursionError)):
            message, status = f"the input is too large or nested too deeply ({type(err).__name__})", 2
        else:
            # Not a user mistake but a bug in olm: still one line, and how to learn more.
            message = f"internal error: {type(err).__name__}: {err}"
            if not debug:
                message += " (run again with --debug for the traceback)"
            status = 1
        print(f"{prefix}: error: {_one_line(message)}", file=sys.stderr)
        return status


if __name__ == "__main__":
    sys.exit(main())
