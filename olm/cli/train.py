"""``olm train``: train a model from a SOURCE, writing events as JSON lines.

The same command runs on a laptop, on a GPU server, under ``torchrun`` (DDP), and as the
Studio's child process; the Studio writes its settings to a file and passes ``--config``.
The flags are derived from :class:`olm.train.TrainConfig`'s fields (their help text is
the fields' metadata), so the list of settings is written once. Settings come, last one
winning, from the run being resumed (``--resume``), then ``--config FILE``, then the flags
given. Exit code 0 when the run finished or was stopped cleanly (SIGINT/SIGTERM save a
checkpoint first), 1 when it failed, 2 when a setting or path is wrong or a checkpoint
cannot be written (a full disk; the previous checkpoint stays intact).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import time
import typing
from pathlib import Path
from typing import Any

from olm.core.errors import ConfigError, OLMError

__all__ = ["register", "run", "config_flags"]


def _none_or(kind: type, zero_is_none: bool = False):
    def parse(text: str) -> Any:
        if text.lower() in ("none", "off") or (zero_is_none and text.strip() == "0"):
            return None
        return kind(text)

    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


def _base_type(hint: Any) -> tuple[type, bool]:
    """(the scalar type, whether None is allowed) of a field annotation."""
    args = typing.get_args(hint)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None) and isinstance(a, type)]
        return (rest[0] if rest else str), True
    origin = typing.get_origin(hint) or hint
    return origin, False


def config_flags(parser: argparse.ArgumentParser) -> list[str]:
    """Add one flag per :class:`TrainConfig` field; returns the field names added.

    Every flag defaults to "not given" (``argparse.SUPPRESS``), so the parsed namespace
    holds exactly the settings the person typed, which override a config file or a
    resumed run's settings.
    """
    from olm.train.config import TrainConfig

    hints = typing.get_type_hints(TrainConfig)
    names = []
    for f in dataclasses.fields(TrainConfig):
        help_text = f.metadata.get("help", "")
        kind, optional = _base_type(hints[f.name])
        names.append(f.name)
        if f.name == "source":
            parser.add_argument("source", nargs="?", default=argparse.SUPPRESS, help=help_text)
            continue
        flag = f.metadata.get("flag") or "--" + f.name.replace("_", "-")
        common: dict[str, Any] = {"dest": f.name, "default": argparse.SUPPRESS,
                                  "help": help_text}
        if kind is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, **common)
        elif kind is tuple:
            parser.add_argument(flag, type=float, nargs=2, metavar="X", **common)
        elif kind is list:  # repeatable (--freeze A --freeze B)
            parser.add_argument(flag, action="append", metavar=f.metadata.get("metavar"),
                                **common)
        else:
            parse = _none_or(kind, f.metadata.get("zero_is_none", False)) if optional else kind
            choices = f.metadata.get("choices")
            parser.add_argument(flag, type=parse, choices=choices, **common)
    return names


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a model (preset, .olm.json or .py) on a corpus",
        description="Train SOURCE on --data; write checkpoints to --out and events to --events.",
    )
    config_flags(p)
    p.add_argument("--config", default=None, metavar="FILE",
                   help="JSON file of settings (TrainConfig field names); flags override it")
    p.add_argument("--overwrite", action="store_true",
                   help="start afresh in an --out folder that holds a previous run's checkpoints")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.add_argument("--trust-recorded-paths", action="store_true",
                   help="with --resume: use the input and output paths the run recorded "
                        "even where they lead outside the run folder")
    p.set_defaults(func=run)


def resolve_config(args: argparse.Namespace):
    """The run's :class:`TrainConfig` and, on a resume, the settings that changed."""
    from olm.train.config import TrainConfig
    from olm.train.resume import resume_config

    names = [f.name for f in dataclasses.fields(TrainConfig)]
    flags = {name: getattr(args, name) for name in names if hasattr(args, name)}
    if "betas" in flags:
        flags["betas"] = tuple(flags["betas"])
    given = {**(TrainConfig.read_file(args.config) if args.config else {}), **flags}
    if given.get("resume"):
        return resume_config(given["resume"], given,
                             trust_recorded_paths=getattr(args, "trust_recorded_paths", False))
    from olm.train.finetune import fresh_config

    return fresh_config(given), {}


def _claim_out(config, overwrite: bool):
    """Check the run folder, lock it, and make sure a finished run is not silently reused."""
    from olm.store import layout
    from olm.store.checkpoint import refuse_links, resolve_checkpoint
    from olm.store.run_lock import RunLock

    out = Path(config.out)
    lock = RunLock(out).acquire()
    try:
        refuse_links(out)
        if lock.took_over:
            print(f"olm train: note: {out} was locked by {lock.took_over}, which is no longer "
                  "running; taking it over", file=sys.stderr)
        if config.resume is None:
            try:
                resolve_checkpoint(out)
                used = True
            except OLMError:
                used = False
            if used and not overwrite:
                raise ConfigError(f"--out {out} already holds a run's checkpoints: continue it "
                                  f"with --resume {out}, or start afresh with --overwrite")
            if used:
                shutil.rmtree(out / layout.CHECKPOINTS_DIR, ignore_errors=True)
                shutil.rmtree(out / layout.FINAL_DIR, ignore_errors=True)
    except BaseException:
        lock.release()
        raise
    return lock


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


def _show(bar, event) -> None:
    from olm.train.events import EvalEvent, StartEvent, StepEvent

    if bar is None:
        return
    if isinstance(event, StepEvent):
        info = f"loss {event.loss or float('nan'):.4f}  {event.tokens_per_s or 0:.0f} tok/s"
        bar.update(0, completed=event.step, info=info)
    elif isinstance(event, StartEvent):
        bar.update(0, completed=event.resumed_from_step)
    elif isinstance(event, EvalEvent) and event.val_loss is not None:
        bar.console.print(f"step {event.step}: val loss {event.val_loss:.4f}")


def run(args: argparse.Namespace) -> int:
    began = time.perf_counter()  # a --trial budget counts from here (torch loads below)
    from olm.store.run_lock import check_output_path
    from olm.train.events import EndEvent, EventWriter
    from olm.train.run import TrainRun

    config, changes = resolve_config(args)
    rank0 = int(os.environ.get("RANK", "0")) == 0
    if config.out is not None:
        check_output_path("--out", config.out, folder=True)
    events = config.events
    if events not in (None, "-"):
        check_output_path("--events", events, folder=False)
    lock = _claim_out(config, args.overwrite) if config.out is not None and rank0 else None
    try:
        config = _check(config, rank0, began)  # after the lock: --trial writes into --out
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if events not in (None, "-") and args.overwrite and rank0 and Path(events).is_file():
        Path(events).write_text("", encoding="utf-8")  # a fresh run, a fresh history
    bar = _progress(rank0 and not args.no_progress and events != "-", config.steps)
    last = None
    train_run = TrainRun(config, changes=changes)
    try:
        with EventWriter(events, enabled=rank0) as writer:
            for event in train_run:
                writer.write(event)
                _show(bar, event)
                last = event
    finally:
        if bar is not None:
            bar.stop()
        if lock is not None:
            lock.release()
    status = last.status if isinstance(last, EndEvent) else None
    if rank0 and status != "finished":
        print(f"olm train: {status}: {getattr(last, 'reason', None)}", file=sys.stderr)
    elif rank0 and events != "-":
        print(_summary(last), file=sys.stderr)
    if train_run.write_failed:
        return 2  # a full disk or an unwritable folder: the user's to fix, like a bad path
    return 1 if status == "failed" else 0


def _check(config, rank0: bool, began: float | None = None):
    """The one pre-flight (the Studio's): errors stop the run (exit 2), warnings are printed;
    ``--trial`` swaps in the trial-scale copy (:func:`olm.train.preflight.plan_run`)."""
    from olm.train.preflight import plan_run

    config, problems, note = plan_run(config, began=began)
    errors = [str(p) for p in problems if p.severity == "error"]
    if errors:
        raise ConfigError("; ".join(errors))
    if rank0:
        for line in ([f"trial scale: {note}"] if note else []) + [
                f"warning: {p}" for p in problems]:
            print(f"olm train: {line}", file=sys.stderr)
    return config


def _summary(end) -> str:
    """One line for a finished run: how far it got, its validation loss, where it saved."""
    parts = [f"olm train: finished at step {end.step}"]
    if end.val_loss is not None:
        parts.append(f"val loss {end.val_loss:.4f}")
    if end.elapsed_s is not None:
        parts.append(f"{end.elapsed_s:.1f} s")
    if end.checkpoint:
        parts.append(f"checkpoint {end.checkpoint}")
    return ", ".join(parts)
