"""``olm eval MODEL --data ...``: the held-out loss of a model with its weights.

MODEL is anything that carries weights (a Hugging Face folder, ``NAME.olm.json`` with its
weights beside it, a checkpoint or run folder, a ``.gguf`` file). Run it before and after
an operation on a pretrained model to see what the operation cost; the windows are the
ones ``olm train`` validates on, so the numbers compare with a run's ``val_loss``.
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register", "run"]


def register(subparsers) -> None:
    """Add the ``eval`` sub-command."""
    p = subparsers.add_parser("eval", help="held-out loss of a model with its weights",
                              description=__doc__.split("\n\n")[1])
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--data", default="builtin", help="'builtin', a text file or a folder")
    p.add_argument("--tokenizer", default=None,
                   help="when MODEL has none: byte | bpe:N | tokenizer.json (default byte)")
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--batches", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | mps")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from olm.core.errors import OLMError
    from olm.store.pretrained import open_pretrained
    from olm.train.device import resolve_device
    from olm.train.evaluate import heldout_loss

    for name in ("seq_len", "batches", "batch_size"):
        if getattr(args, name) < 1:
            raise OLMError(f"--{name.replace('_', '-')} must be >= 1")
    opened = open_pretrained(args.model)
    tokenizer = opened.tokenizer
    if tokenizer is None or args.tokenizer is not None:
        tokenizer = args.tokenizer or "byte"
    device = resolve_device(args.device)
    opened.model.to(device)
    result = heldout_loss(opened.model, tokenizer, args.data, seq_len=args.seq_len,
                          batches=args.batches, batch_size=args.batch_size, device=device)
    if args.json:
        print(json.dumps({"loss": result.loss, "perplexity": result.perplexity,
                          "tokens": result.tokens}))
    else:
        sys.stdout.write(f"held-out loss {result.loss:.4f} (perplexity {result.perplexity:.2f}) "
                         f"on {result.tokens:,} tokens of {args.data}\n")
    return 0
