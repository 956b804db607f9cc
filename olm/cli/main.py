"""The `olm` command line: one sub-command per module under `olm.cli`.

Each sub-command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (a callable taking the parsed ``argparse.Namespace`` and returning an exit code).
Errors meant for the user are raised as :class:`olm.core.errors.OLMError` and printed
as one clear line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from olm.core.errors import OLMError

__all__ = ["main", "build_parser"]

# Sub-command modules, in the order `olm --help` lists them.
_COMMANDS = ("info", "export", "train", "generate", "eval", "import_hf")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OLMError as err:
        print(f"olm {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"olm {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
