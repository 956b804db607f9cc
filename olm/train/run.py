"""The training loop as a generator of events: ``train_iter(config)``.

Everything else is a consumer of its typed events (:mod:`olm.train.events`): ``olm
train`` writes them as JSON lines (and draws a progress bar), the Studio reads those
lines back for its plots, tests read the events directly. Run failures (non-finite loss, out of memory) end the stream with an ``end``
event whose status is "failed" and a reason; a stop request (SIGINT/SIGTERM) saves a
checkpoint and ends with "stopped", and so does ``max_time`` running out (the reason then
begins with :data:`TIME_BUDGET`; the run resumes like any stopped one). Mistakes in the settings raise ``OLMError`` before
the first event.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Iterator

import torch
import torch.distributed as dist
from torch import nn

from olm.core.errors import OLMError
from olm.generation import sample
from olm.store import layout
from olm.store.checkpoint import CheckpointWriteError, prune_checkpoints, save_checkpoint
from olm.store.record import begin_run, end_run
from olm.train.config import TrainConfig
from olm.train.device import resolve_device
from olm.train.distributed import DistInfo, all_mean, any_flag, setup_distributed
from olm.train.events import (
    CheckpointEvent,
    ConfigChangeEvent,
    EndEvent,
    EvalEvent,
    Event,
    SampleEvent,
    StartEvent,
    StepEvent,
    TelemetryEvent,
)
from olm.train.setup import RunParts, describe_failure
from olm.train.signals import StopFlag
from olm.train.step import TrainStep, autocast_dtype

__all__ = ["TrainRun", "train_iter", "oom_reason", "TIME_BUDGET"]

TIME_BUDGET = "time budget"
"""How an ``end`` event's reason begins when ``max_time`` stopped the run."""


def oom_reason(config: TrainConfig, step: int) -> str:
    """The out-of-memory message, with the settings to change."""
    return (
        f"out of memory at step {step} with batch size {config.batch_size} and seq len "
        f"{config.seq_len}: try --batch-size {max(1, config.batch_size // 2)} "
        f"(with --grad-accum {config.grad_accum * 2} to keep the tokens per step) or "
        f"--seq-len {max(8, config.seq_len // 2)}"
    )


def _is_oom(err: BaseException) -> bool:
    oom = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
    return isinstance(err, oom) or "out of memory" in str(err).lower()


class TrainRun:
    """One training run; iterate it for events. Holds the model afterwards (``.model``).

    Args:
        config (TrainConfig): the run's settings.
        changes (dict | None): on a resume, the settings explicit flags changed from the
            saved ones (``name: [saved, new]``); reported as a ``config_change`` event.
    """

    def __init__(self, config: TrainConfig, changes: dict | None = None) -> None:
        self.config = config
        self.changes = dict(changes or {})
        self.model: nn.Module | None = None
        self.parts: RunParts | None = None
        self.dist = DistInfo()
        self.device = torch.device("cpu")
        self.status: str | None = None
        self.last_good: Path | None = None  # the newest checkpoint written by this run
        self.write_failed = False  # a checkpoint could not be written (a full disk...)
        self.step = 0

    def __iter__(self) -> Iterator[Event]:
        return self._events()

    # -- setup -------------------------------------------------------------------------
    def _setup(self) -> None:
        cfg = self.config
        if cfg.threads is not None:
            torch.set_num_threads(cfg.threads)
        want_cuda = cfg.device.startswith("cuda") or (cfg.device == "auto"
                                                      and torch.cuda.is_available())
        self.dist = setup_distributed(use_cuda=want_cuda)
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        if self.device.type == "cuda":
            # TF32 tensor cores for the fp32 matmuls autocast leaves (norms' inputs, the
            # loss); bf16 autocast covers the rest (olm.train.step.autocast_dtype).
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        barrier = dist.barrier if self.dist.active else None
        self.parts = RunParts.build(cfg, self.device, self.dist.is_main, barrier)
        self.model = self.parts.model
        if cfg.checkpoint_activations:
            from olm.train.recompute import checkpoint_activations

            checkpoint_activations(self.model)
        wrapped: nn.Module = self.model
        if self.dist.active:
            ids = [self.device.index] if self.device.type == "cuda" else None
            wrapped = nn.parallel.DistributedDataParallel(wrapped, device_ids=ids)
        if cfg.compile:
            wrapped = torch.compile(wrapped)
        self.wrapped = wrapped
        self.step_fn = TrainStep(
            wrapped, self.parts.optimizer, scheduler=self.parts.scheduler,
            grad_clip=cfg.grad_clip, amp_dtype=autocast_dtype(self.device, cfg.use_amp),
            device_type=self.device.type,
        )
        self.telemetry = self._telemetry()
        self.tokens_per_step = cfg.batch_size * cfg.seq_len * cfg.grad_accum * self.dist.world_size
        self.val_batches = self.parts.data.val.eval_batches(
            cfg.eval_batches, cfg.batch_size, cfg.seq_len)

    def _telemetry(self):
        """The collector when ``telemetry`` is on (a run from a bare module gets the
        document :func:`olm.graph.from_module` describes, saved with its checkpoints)."""
        if self.config.telemetry <= 0:
            return None
        from olm.train.telemetry import Telemetry

        if self.parts.graph is None:
            from olm.graph import from_module

            try:
                self.parts.graph = from_module(self.model)
            except Exception as err:  # noqa: BLE001 - any module olm cannot describe
                raise OLMError(f"telemetry needs a model olm can describe as a graph "
                               f"({describe_failure(err)}); train it without --telemetry") from None
        collector = Telemetry(self.model, self.parts.graph, self.config.telemetry)
        self.step_fn.inspect = collector.inspect
        return collector

    def _start_event(self) -> StartEvent:
        p = self.parts
        return StartEvent(
            config=self.config.to_json(), resumed_from_step=p.start_step,
            steps=self.config.steps, params=sum(t.numel() for t in self.model.parameters()),
            device=str(self.device), world_size=self.dist.world_size,
            tokens_per_step=self.tokens_per_step, tokenizer=p.data.tokenizer.spec,
            vocab_size=p.data.tokenizer.vocab_size, train_tokens=len(p.data.train),
            val_tokens=len(p.data.val), out=self.config.out,
        )

    # -- pieces of the loop ---------------------------------------------------------------
    def _batches(self, step: int) -> list:
        cfg, train = self.config, self.parts.data.train
        out = []
        for micro in range(cfg.grad_accum):
            x, y = train.batch(cfg.batch_size, cfg.seq_len, seed=cfg.seed, step=step,
                               micro=micro, rank=self.dist.rank)
            if self.device.type == "cuda":  # pinned: the copy overlaps the previous step
                x, y = x.pin_memory(), y.pin_memory()
            out.append((x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)))
        return out

    @torch.no_grad()
    def evaluate(self) -> float:
        """Mean validation loss over the fixed validation batches."""
        model = self.model
        was = model.training
        model.eval()
        total = torch.zeros((), device=self.device)
        try:
            for x, y in self.val_batches:
                x, y = x.to(self.device), y.to(self.device)
                with self.step_fn.autocast():
                    total += self.step_fn.loss_fn(model(x), y).float()
        finally:
            model.train(was)
        return float(total.item() / len(self.val_batches))

    def _sample_text(self, step: int) -> str:
        tok = self.parts.data.tokenizer
        ids = tok.encode(self.config.sample_prompt).to(self.device)[None, :]
        gen = torch.Generator(device=self.device).manual_seed(self.config.seed + step)
        out = sample(self.model, ids, self.config.sample_tokens, temperature=0.8, top_k=50,
                     generator=gen, eos_id=tok.stop_ids() or None)
        return tok.decode(out[0, ids.size(1):].cpu())

    def _checkpoint(self, step: int, elapsed: float, val_loss: float | None) -> Path | None:
        """Save (rank 0) a step checkpoint and prune old ones; others wait at a barrier."""
        cfg = self.config
        path = None
        if cfg.out is not None and self.dist.is_main:
            run_dir = Path(cfg.out)
            path = run_dir / layout.CHECKPOINTS_DIR / layout.step_name(step)
            p = self.parts
            save_checkpoint(
                path, self.model, tokenizer=p.data.tokenizer, graph=p.graph,
                optimizer=p.optimizer, scheduler=p.scheduler,
                state={"step": step, "config": cfg.to_json(), "elapsed_s": elapsed,
                       "val_loss": val_loss, "tokens": step * self.tokens_per_step},
            )
            prune_checkpoints(run_dir, cfg.keep_checkpoints)
        if self.dist.active:
            dist.barrier()
        return path

    # -- the loop -------------------------------------------------------------------------
    def _events(self) -> Iterator[Event]:
        for event in self._stream():
            if isinstance(event, EndEvent):
                self._record_end(event)
            yield event

    def _record(self) -> bool:
        return self.config.out is not None and self.dist.is_main

    def _record_end(self, end: EndEvent) -> None:
        """The run record says how the run ended (it said "running" since the start)."""
        if self._record() and self.parts is not None:
            try:
                end_run(self.config.out, end.status, end.reason or "")
            except (OSError, OLMError):
                pass  # the folder went away or filled up: the end event says why already

    def _stream(self) -> Iterator[Event]:
        self.began = time.perf_counter()  # max_time counts setup (data, model) too
        try:
            self._setup()
            if self._record():  # what is trained, before the first step (olm.store.record)
                begin_run(self.config.out, self.parts.graph, self.config.to_json(),
                          resumed=self.config.resume is not None)
            yield self._start_event()
            if self.changes:
                yield ConfigChangeEvent(step=self.parts.start_step, changes=self.changes)
            with StopFlag() as stop:
                yield from self._loop(stop)
        except CheckpointWriteError as err:  # a full disk or a vanished folder
            self.write_failed = True
            yield self._fail(str(err), self.step)
        except OSError as err:  # the same, outside the checkpoint writer
            self.write_failed = True
            where = f" {err.filename}" if err.filename else ""
            yield self._fail(f"cannot write{where}: {err.strerror or err}", self.step)
        finally:
            self.dist.close()

    def _due(self, every: int, step: int) -> bool:
        return (every > 0 and step % every == 0) or step == self.config.steps

    def _read(self, loss, gnorm, step: int) -> tuple[float, float | None, str | None]:
        """Loss and grad norm as numbers (one sync), and a failure reason if not finite."""
        loss_v = float(all_mean(loss, self.dist).item())
        gnorm_v = None if gnorm is None else float(gnorm.item())
        bad = None
        if not math.isfinite(loss_v):
            bad = f"loss became {loss_v}"
        elif gnorm_v is not None and not math.isfinite(gnorm_v):
            bad = f"gradient norm became {gnorm_v}"
        if bad is None:
            return loss_v, gnorm_v, None
        return loss_v, gnorm_v, (f"{bad} at step {step}; lower --lr or check the model "
                                 f"(last good checkpoint: {_str(self.last_good) or 'none'})")

    def _out_of_time(self, step: int) -> str | None:
        """Why the run stops now for ``max_time`` (None while time is left, or none set)."""
        limit = self.config.max_time_seconds
        if limit is None or step >= self.config.steps:
            return None
        if time.perf_counter() - self.began < limit:
            return None
        return (f"{TIME_BUDGET}: max_time {self.config.max_time} reached at step {step} of "
                f"{self.config.steps}; --resume goes on from its checkpoint")

    def _fail(self, reason: str, step: int) -> EndEvent:
        self.status = "failed"
        return EndEvent(status="failed", reason=reason, step=step,
                        checkpoint=_str(self.last_good))

    def _loop(self, stop: StopFlag) -> Iterator[Event]:
        cfg, p = self.config, self.parts
        t0 = time.perf_counter()
        last_t, last_step = t0, p.start_step
        elapsed_before = float(p.state.get("elapsed_s", 0.0))
        val_loss = p.state.get("val_loss")
        step = p.start_step
        while step < cfg.steps:
            lr = p.optimizer.param_groups[0]["lr"]
            collecting = self.telemetry is not None and self.telemetry.due(step + 1)
            if collecting:
                self.telemetry.arm()
            try:
                loss, gnorm = self.step_fn(self._batches(step))
            except Exception as err:
                yield self._fail(oom_reason(cfg, step + 1) if _is_oom(err)
                                 else describe_failure(err), step)
                return
            step = self.step = step + 1
            if collecting:
                nodes = self.telemetry.finish()
                if self.dist.is_main:
                    yield TelemetryEvent(step=step, nodes=nodes)
            # the same decision on every rank, so collectives below stay in step
            late = self._out_of_time(step)
            stopping = any_flag(stop.requested is not None or late is not None, self.dist,
                                self.device)
            saving = cfg.out is not None and (self._due(cfg.checkpoint_every, step) or stopping)
            if self._due(cfg.log_every, step) or saving or stopping:
                loss_v, gnorm_v, failure = self._read(loss, gnorm, step)
                if failure is not None:
                    yield self._fail(failure, step)
                    return
                now = time.perf_counter()
                per_step = (now - t0) / max(1, step - p.start_step)
                yield StepEvent(
                    step=step, loss=loss_v, lr=lr, grad_norm=gnorm_v,
                    tokens=step * self.tokens_per_step,
                    tokens_per_s=(step - last_step) * self.tokens_per_step / max(now - last_t, 1e-9),
                    elapsed_s=elapsed_before + now - t0, eta_s=per_step * (cfg.steps - step),
                )
                last_t, last_step = now, step
            if self._due(cfg.eval_every, step):
                val_loss = self.evaluate()
                yield EvalEvent(step=step, val_loss=val_loss,
                                val_ppl=math.exp(min(val_loss, 50.0)))
            if cfg.sample_every > 0 and self._due(cfg.sample_every, step) and self.dist.is_main:
                yield SampleEvent(step=step, prompt=cfg.sample_prompt,
                                  text=self._sample_text(step))
            if saving:
                path = self._checkpoint(step, elapsed_before + time.perf_counter() - t0, val_loss)
                if path is not None:
                    self.last_good = path
                    yield CheckpointEvent(step=step, path=str(path))
            if stopping:
                self.status = "stopped"
                reason = stop.requested or late or self._out_of_time(step) or "stop requested"
                yield EndEvent(status="stopped", reason=reason, step=step,
                               checkpoint=_str(self.last_good),
                               elapsed_s=elapsed_before + time.perf_counter() - t0)
                return
        self.status = "finished"
        yield EndEvent(status="finished", step=step, val_loss=val_loss,
                       elapsed_s=elapsed_before + time.perf_counter() - t0,
                       checkpoint=_str(self.last_good))


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def train_iter(config: TrainConfig) -> Iterator[Event]:
    """Run training and yield its events (``start``, ``step``, ``eval``, ``sample``,
    ``checkpoint``, ``end``); see ``docs/events.md``.

    Raises:
        OLMError: a setting or file is wrong (before any event is yielded).
    """
    if not isinstance(config, TrainConfig):
        raise OLMError(f"train_iter needs a TrainConfig, got {type(config).__name__}")
    return iter(TrainRun(config))
