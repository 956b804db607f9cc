"""``olm train``: train a model from a SOURCE, writing events as JSON lines.

The same command runs on a laptop, on a GPU server, under ``torchrun`` (DDP), and as the
Studio's child process; the Studio reads ``--events``. Exit code 0 when the run finished
or was stopped cleanly (SIGINT/SIGTERM save a checkpoint first), 1 when it failed.
"""

from __future__ import annotations

import argparse
import os
import sys

from olm.core.errors import OLMError

__all__ = ["register", "run"]


def _float_or_none(text: str) -> float | None:
    return None if text.lower() in ("none", "off", "0") else float(text)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a model (preset, .olm.json or .py) on a corpus",
        description="Train SOURCE on --data; write checkpoints to --out and events to --events.",
    )
    p.add_argument("source", nargs="?", help="preset name, .olm.json or .py (optional with --resume)")
    p.add_argument("--data", default="builtin", help="'builtin' (stdlib sources), a text file or a folder")
    p.add_argument("--tokenizer", default="byte", help="byte | bpe:N | path to tokenizer.json")
    p.add_argument("--steps", type=int, default=1000, help="total optimizer steps")
    p.add_argument("--batch-size", type=int, default=8, help="sequences per micro-batch (per process)")
    p.add_argument("--seq-len", type=int, default=256, help="tokens per sequence")
    p.add_argument("--grad-accum", type=int, default=1, help="micro-batches per step")
    p.add_argument("--lr", type=float, default=None,
                   help="peak learning rate (default 3e-4; 3e-5 with --init-from)")
    p.add_argument("--min-lr", type=float, default=None, help="final learning rate (default lr/10)")
    p.add_argument("--warmup-steps", type=int, default=None,
                   help="default min(100, steps/10); min(20, steps/20) with --init-from")
    p.add_argument("--schedule", choices=("cosine", "constant"), default="cosine")
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--grad-clip", type=_float_or_none, default=1.0, help="clip norm ('off' disables)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps")
    p.add_argument("--no-amp", action="store_true", help="train CUDA in fp32 (no bf16 autocast)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="run folder for checkpoints")
    p.add_argument("--events", default=None, help="JSON-lines event file ('-' for stdout)")
    p.add_argument("--resume", default=None, help="run or checkpoint folder to continue from")
    p.add_argument("--init-from", default=None, metavar="WEIGHTS",
                   help="fine-tune: start from these weights (Hugging Face folder, NAME.olm.json "
                        "with weights beside it, checkpoint or run folder, .gguf); SOURCE may "
                        "then be omitted, or an edited model that keeps what fits")
    p.add_argument("--freeze", action="append", default=[], metavar="NODE",
                   help="do not train this node id or module path (repeatable)")
    p.add_argument("--drop-layers", choices=("last", "first", "every"), default="last",
                   help="with --init-from and a SOURCE with fewer layers: which to drop "
                        "(more layers duplicate the pretrained ones)")
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--eval-batches", type=int, default=8)
    p.add_argument("--sample-every", type=int, default=0, help="steps between sample texts (0: off)")
    p.add_argument("--sample-prompt", default="def ")
    p.add_argument("--checkpoint-every", type=int, default=0, help="0: only at the end")
    p.add_argument("--log-every", type=int, default=1)
    p.add_argument("--max-corpus-bytes", type=int, default=None, help="default 8000000")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(func=run)


def _config(args: argparse.Namespace):
    from olm.data.corpus import DEFAULT_MAX_BYTES
    from olm.train.config import TrainConfig
    from olm.train.finetune import FINETUNE_LR

    lr = args.lr if args.lr is not None else (FINETUNE_LR if args.init_from else 3e-4)

    return TrainConfig(
        source=args.source, data=args.data, tokenizer=args.tokenizer, steps=args.steps,
        batch_size=args.batch_size, seq_len=args.seq_len, grad_accum=args.grad_accum,
        lr=lr, min_lr=args.min_lr, warmup_steps=args.warmup_steps, schedule=args.schedule,
        weight_decay=args.weight_decay, grad_clip=args.grad_clip, device=args.device,
        use_amp=not args.no_amp, compile=args.compile, seed=args.seed, out=args.out,
        resume=args.resume, eval_every=args.eval_every, eval_batches=args.eval_batches,
        sample_every=args.sample_every, sample_prompt=args.sample_prompt,
        checkpoint_every=args.checkpoint_every, log_every=args.log_every,
        max_corpus_bytes=args.max_corpus_bytes or DEFAULT_MAX_BYTES, threads=args.threads,
        init_from=args.init_from, freeze=args.freeze, drop_layers=args.drop_layers,
    )


def _progress(enabled: bool, total: int):
    """A rich progress bar on stderr, or None when stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("train"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TextColumn("{task.fields[info]}"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=False)
    bar.start()
    bar.add_task("train", total=total, info="")
    return bar


def _show(bar, event: dict) -> None:
    if bar is None:
        return
    kind = event["event"]
    if kind == "step":
        info = f"loss {event['loss']:.4f}  {event['tokens_per_s']:.0f} tok/s"
        bar.update(0, completed=event["step"], info=info)
    elif kind == "start":
        bar.update(0, completed=event["resumed_from_step"])
    elif kind == "eval":
        bar.console.print(f"step {event['step']}: val loss {event['val_loss']:.4f}")


def run(args: argparse.Namespace) -> int:
    from olm.train.events import EventWriter
    from olm.train.run import TrainRun

    if args.source is None and args.resume is None and args.init_from is None:
        raise OLMError("give a SOURCE (preset, .olm.json or .py), --init-from WEIGHTS or "
                       "--resume DIR")
    config = _config(args)
    rank0 = int(os.environ.get("RANK", "0")) == 0
    bar = _progress(rank0 and not args.no_progress and args.events != "-", config.steps)
    last: dict = {}
    try:
        with EventWriter(args.events, enabled=rank0) as writer:
            for event in TrainRun(config):
                writer.write(event)
                _show(bar, event)
                last = event
    finally:
        if bar is not None:
            bar.stop()
    status = last.get("status")
    if rank0 and status != "finished":
        print(f"olm train: {status}: {last.get('reason')}", file=sys.stderr)
    elif rank0 and args.events != "-":
        print(_summary(last), file=sys.stderr)
    return 1 if status == "failed" else 0


def _summary(end: dict) -> str:
    """One line for a finished run: how far it got, its validation loss, where it saved."""
    parts = [f"olm train: finished at step {end.get('step')}"]
    if end.get("val_loss") is not None:
        parts.append(f"val loss {end['val_loss']:.4f}")
    if end.get("elapsed_s") is not None:
        parts.append(f"{end['elapsed_s']:.1f} s")
    if end.get("checkpoint"):
        parts.append(f"checkpoint {end['checkpoint']}")
    return ", ".join(parts)
