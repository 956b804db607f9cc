"""``olm import-hf DIR -o OUTPUT``: open a local Hugging Face checkpoint as an olm model.

DIR holds ``config.json`` and ``model.safetensors`` (or shards with an index) of a
GPT-2, Llama, Qwen 2, Mistral, Mixtral or Gemma 2 causal LM; nothing is downloaded. DIR
may also be a ``.gguf`` file of a Llama-architecture model (needs the ``gguf`` package;
quantised tensors are dequantised), read with its tokenizer and chat template. With
``-o NAME.olm.json`` the olm project file is written with the weights beside it as
``NAME.safetensors`` (and the tokenizer as ``NAME.tokenizer/``); with any other OUTPUT a
checkpoint folder is written that ``olm generate OUTPUT`` can sample from.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``import-hf`` sub-command."""
    parser = subparsers.add_parser(
        "import-hf",
        help="read a local Hugging Face checkpoint into an olm project",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument(
        "folder", metavar="DIR",
        help="folder with config.json and safetensors weights, or a .gguf file"
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUTPUT",
        help="PROJECT.olm.json (weights written as PROJECT.safetensors) or a checkpoint folder",
    )
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=("float32", "bfloat16", "float16", "auto"),
        help="weights dtype ('auto': as config.json says); default float32",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from olm.interop.hf import read_hf
    from olm.interop.hf.project import write_project

    if Path(args.folder).suffix.lower() == ".gguf":
        from olm.interop.gguf import read_gguf

        imported = read_gguf(args.folder, dtype=None if args.dtype == "auto" else args.dtype)
    else:
        imported = read_hf(args.folder, dtype=args.dtype)
    written = write_project(imported, args.output)
    params = sum(p.numel() for p in imported.model.parameters())
    print(f"imported {imported.architecture} ({params:,} parameters) from {args.folder}")
    for kind, path in written.items():
        print(f"  {kind}: {path}")
    return 0
