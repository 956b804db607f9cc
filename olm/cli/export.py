"""``olm export SOURCE --to python|project|hf -o PATH``: write a model in another form.

- ``python``: a standalone ``.py`` file in the reference page's style (``olm.graph.to_python``);
- ``project``: a ``*.olm.json`` project file the Studio opens;
- ``hf``: a Hugging Face folder, through ``olm.interop.hf.save_hf`` (weights come from a
  checkpoint folder SOURCE; any other source is exported with fresh random weights).

SOURCE is a preset name, a ``.olm.json`` project, a checkpoint folder or a ``.py`` file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from olm.core.errors import OLMError
from olm.core.files import atomic_write_text, check_output_path

__all__ = ["register", "run", "EXPORTERS"]


def _write_text(path: Path, text: str) -> None:
    atomic_write_text(path, text)


def _to_python(source: str, path: Path, sets: list[str] | None = None) -> None:
    from olm.cli.source import read_source
    from olm.graph import to_python

    _write_text(path, to_python(read_source(source, overrides=sets)))


def _to_project(source: str, path: Path, sets: list[str] | None = None) -> None:
    from olm.cli.source import read_source
    from olm.graph import save

    save(read_source(source, overrides=sets), path)


def _hf_saver() -> Callable[..., Any]:
    """``olm.interop.hf.save_hf``, imported only when an HF export is asked for."""
    try:
        from olm.interop.hf import save_hf
    except ImportError as err:
        raise OLMError(
            "export --to hf needs olm.interop.hf.save_hf, which this installation does not "
            f"provide ({err})"
        ) from None
    return save_hf


def _to_hf(source: str, path: Path, sets: list[str] | None = None) -> None:
    save_hf = _hf_saver()
    from olm.graph import build, from_source
    from olm.store.layout import PROJECT_SUFFIX, project_paths
    from olm.store.pretrained import open_pretrained

    folder = Path(source)
    tokenizer = None
    weighted = folder.is_dir() or folder.suffix.lower() == ".gguf" or (
        folder.name.endswith(PROJECT_SUFFIX) and project_paths(folder)["weights"].is_file())
    if weighted and sets:
        raise OLMError(f"--set changes sizes, which the trained weights in {source} cannot "
                       "follow; export without --set, or fine-tune with olm train --init-from")
    if weighted:  # a checkpoint or run, HF folder, project with weights, GGUF file
        loaded = open_pretrained(folder)
        model, tokenizer = loaded.model, loaded.tokenizer
    else:
        print(
            f"olm export: note: {source} holds no trained weights; exporting freshly "
            "initialised ones",
            file=sys.stderr,
        )
        model = build(from_source(source, overrides=sets))
    save_hf(model, path, tokenizer=tokenizer)


EXPORTERS: dict[str, Callable[..., None]] = {
    "python": _to_python,
    "project": _to_project,
    "hf": _to_hf,
}


def register(subparsers: Any) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export",
        help="write a model as Python, a project file or a Hugging Face folder",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("source", help="preset name, .olm.json, checkpoint folder or .py file")
    parser.add_argument("--to", choices=sorted(EXPORTERS), required=True, help="output form")
    parser.add_argument("-o", "--output", required=True, help="file (python, project) or folder (hf)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="sets",
                        help="change a model variable (repeatable), e.g. --set num_layers=4")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export and print where the result went."""
    path = Path(args.output)
    # Every mistake about the output is found before the model is read or built.
    check_output_path(path, "output folder" if args.to == "hf" else "output file", folder=args.to == "hf")
    if path.exists() and not args.force and not (args.to == "hf" and path.is_dir() and not any(path.iterdir())):
        raise OLMError(f"{path} already exists; pass --force to overwrite it")
    if args.to != "hf" and path.is_dir():
        raise OLMError(f"{path} is a folder; --to {args.to} writes a file")
    EXPORTERS[args.to](args.source, path, getattr(args, "sets", None) or None)
    print(f"wrote {path}")
    return 0
