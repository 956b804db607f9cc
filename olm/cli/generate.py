"""``olm generate``: continue a prompt with a trained checkpoint (KV-cached sampling)."""

from __future__ import annotations

import argparse
import math
import sys

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "generate", help="sample text from a run, checkpoint, project or Hugging Face folder",
        description="Load RUN_OR_CHECKPOINT (a run folder uses its latest checkpoint; also a "
                    "Hugging Face folder, NAME.olm.json with its weights beside it, or a .gguf "
                    "file) and continue --prompt.",
    )
    p.add_argument("checkpoint", metavar="RUN_OR_CHECKPOINT")
    p.add_argument("--prompt", default="", help="text to continue")
    p.add_argument("--max-new-tokens", type=int, default=200)
    p.add_argument("--temperature", type=float, default=0.8, help="0 = greedy")
    p.add_argument("--top-k", type=int, default=None)
    p.add_argument("--top-p", type=float, default=None)
    p.add_argument("--seed", type=int, default=None, help="seed the sampler (reproducible output)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | mps")
    p.add_argument("--no-cache", action="store_true", help="recompute every step (no KV cache)")
    p.add_argument("--chat", action="store_true",
                   help="send --prompt as a user message through the tokenizer's chat template "
                        "and print only the reply, which stops at end of turn")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from olm.core.errors import OLMError
    from olm.generation import sample
    from olm.store.layout import TOKENIZER_DIR
    from olm.store.pretrained import open_pretrained
    from olm.train.device import resolve_device

    for flag in ("temperature", "top_p"):
        value = getattr(args, flag)
        if value is not None and not math.isfinite(value):
            raise OLMError(f"--{flag.replace('_', '-')} must be a finite number, not {value}")
    checkpoint = open_pretrained(args.checkpoint)
    if checkpoint.tokenizer is None:
        raise OLMError(f"{checkpoint.path} has no {TOKENIZER_DIR}/ folder: cannot encode the "
                       "prompt")
    tokenizer, model = checkpoint.tokenizer, checkpoint.model
    device = resolve_device(args.device)
    model.to(device)
    stops = tokenizer.stop_ids()  # end of sequence / end of turn: generation stops there
    if args.chat:
        from olm.data.chat import chat_ids

        ids = chat_ids(tokenizer, [{"role": "user", "content": args.prompt}]).to(device)[None, :]
    else:
        ids = tokenizer.encode(args.prompt or "\n").to(device)[None, :]
    gen = None
    if args.seed is not None:
        gen = torch.Generator(device=device).manual_seed(args.seed)
    try:
        out = sample(model, ids, args.max_new_tokens, temperature=args.temperature,
                     top_k=args.top_k, top_p=args.top_p, kv_cache=not args.no_cache, generator=gen,
                     eos_id=stops or None)
    except ValueError as err:  # e.g. prompt + new tokens beyond the model's positions
        if isinstance(err, OLMError):
            raise
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise OLMError(f"generation failed ({ids.size(1)} prompt tokens + "
                       f"{args.max_new_tokens} new): {first}") from None
    text = tokenizer.decode(out[0, ids.size(1):].cpu())
    sys.stdout.write((text if args.chat else args.prompt + text) + "\n")
    return 0
