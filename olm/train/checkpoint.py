"""Checkpoint folders: weights, graph, tokenizer and exact trainer state, written atomically.

Layout of one checkpoint folder::

    model.safetensors          weights (tied tensors stored once, re-tied on load)
    model.olm.json             the graph document (when olm.graph can describe the model)
    tokenizer/                 the tokenizer it was trained with
    trainer_state/state.json   step, config, scheduler, optimizer groups, counters
    trainer_state/optimizer.safetensors   optimizer moments
    trainer_state/rng.safetensors         torch CPU (and CUDA) generator states

No pickle anywhere. The folder is written under a temporary name and renamed into place,
so a crash mid-write leaves the previous checkpoint intact.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, load_model, save_file, save_model
from torch import nn

from olm.core.errors import FileFormatError, OLMError

__all__ = [
    "save_checkpoint",
    "load_weights",
    "load_trainer_state",
    "read_state",
    "resolve_checkpoint",
    "list_checkpoints",
    "STEP_PREFIX",
]

STEP_PREFIX = "step_"
_FORMAT = 1


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict, dict]:
    """Split ``optimizer.state_dict()`` into safetensors tensors and JSON metadata."""
    sd = optimizer.state_dict()
    tensors, scalars = {}, {}
    for idx, state in sd["state"].items():
        for name, value in state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{idx}.{name}"] = value.detach().contiguous().cpu()
            else:
                scalars[f"{idx}.{name}"] = value
    return tensors, {"param_groups": sd["param_groups"], "scalars": scalars}


def _optimizer_state_dict(tensors: dict, meta: dict) -> dict:
    state: dict[int, dict] = {}
    for key, value in list(tensors.items()) + list(meta["scalars"].items()):
        idx, name = key.split(".", 1)
        state.setdefault(int(idx), {})[name] = value
    return {"state": state, "param_groups": meta["param_groups"]}


def _rng_tensors() -> dict[str, torch.Tensor]:
    out = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f"cuda.{i}"] = s
    return out


def _write_graph(folder: Path, model: nn.Module, graph: Any) -> None:
    import olm.graph

    try:
        doc = graph if graph is not None else olm.graph.from_module(model)
        olm.graph.save(doc, folder / "model.olm.json")
    except Exception:  # the document is optional: a model olm.graph cannot
        pass  # describe still checkpoints, and resumes through its recorded source


def _replace_dir(tmp: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def save_checkpoint(
    folder: str | os.PathLike,
    model: nn.Module,
    *,
    tokenizer=None,
    graph: Any = None,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler=None,
    state: dict | None = None,
) -> Path:
    """Write a checkpoint folder atomically; returns its path.

    Args:
        folder: the checkpoint folder to create (replaced if it exists).
        model: the bare model (not DDP- or compile-wrapped).
        tokenizer: saved under ``tokenizer/`` when given.
        graph: the graph document; derived from ``model`` when None and olm.graph can.
        optimizer: its state goes to ``trainer_state/optimizer.safetensors``.
        scheduler: its ``state_dict()`` goes to ``trainer_state/state.json``.
        state: more JSON-able trainer state (step, config, counters).
    """
    final = Path(folder)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        save_model(model, str(tmp / "model.safetensors"))
        _write_graph(tmp, model, graph)
        if tokenizer is not None:
            tokenizer.save(tmp / "tokenizer")
        ts = tmp / "trainer_state"
        ts.mkdir()
        info = {"format": _FORMAT, **(state or {})}
        if optimizer is not None:
            tensors, meta = _optimizer_tensors(optimizer)
            save_file(tensors, str(ts / "optimizer.safetensors"))
            info["optimizer"] = meta
        if scheduler is not None:
            info["scheduler"] = scheduler.state_dict()
        save_file(_rng_tensors(), str(ts / "rng.safetensors"))
        (ts / "state.json").write_text(json.dumps(info, indent=1))
        _replace_dir(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def list_checkpoints(run_dir: str | os.PathLike) -> list[Path]:
    """The step checkpoints in a run folder, oldest first."""
    d = Path(run_dir) / "checkpoints"
    if not d.is_dir():
        return []
    found = [p for p in d.iterdir() if p.name.startswith(STEP_PREFIX) and p.is_dir()]
    return sorted(found, key=lambda p: p.name)


def resolve_checkpoint(path: str | os.PathLike) -> Path:
    """A checkpoint folder from a checkpoint folder or a run folder (its latest checkpoint).

    Raises:
        OLMError: nothing checkpoint-like is there.
    """
    p = Path(path)
    if (p / "model.safetensors").is_file():
        return p
    if (p / "final" / "model.safetensors").is_file():
        return p / "final"
    steps = list_checkpoints(p)
    if steps:
        return steps[-1]
    raise OLMError(f"{path} is not a checkpoint or run folder (no model.safetensors found)")


def read_state(folder: str | os.PathLike) -> dict:
    """``trainer_state/state.json`` of a checkpoint (empty dict if absent)."""
    f = Path(folder) / "trainer_state" / "state.json"
    if not f.is_file():
        return {}
    try:
        return json.loads(f.read_text())
    except ValueError as err:
        raise FileFormatError(f"{f} is corrupt: {err}") from None


def load_weights(folder: str | os.PathLike, model: nn.Module) -> None:
    """Load ``model.safetensors`` into ``model`` (strict: every tensor must match)."""
    f = Path(folder) / "model.safetensors"
    try:
        missing, unexpected = load_model(model, str(f), strict=False)
    except FileNotFoundError:
        raise FileFormatError(f"{f} does not exist") from None
    except Exception as err:  # safetensors raises its own error types for damaged files
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FileFormatError(f"{f} is corrupt or does not match the model: {first}") from None
    if missing or unexpected:
        raise FileFormatError(
            f"{f} does not match the model: missing {sorted(missing)[:3]}, "
            f"unexpected {sorted(unexpected)[:3]}"
        )


def load_trainer_state(folder: str | os.PathLike, optimizer=None, scheduler=None) -> dict:
    """Restore optimizer, scheduler and RNG states; returns ``state.json``'s contents."""
    ts = Path(folder) / "trainer_state"
    info = read_state(folder)
    if not info:
        raise FileFormatError(f"{ts / 'state.json'} is missing: cannot resume from {folder}")
    try:
        if optimizer is not None and "optimizer" in info:
            tensors = load_file(str(ts / "optimizer.safetensors"))
            optimizer.load_state_dict(_optimizer_state_dict(tensors, info["optimizer"]))
        if scheduler is not None and "scheduler" in info:
            scheduler.load_state_dict(info["scheduler"])
        rng = load_file(str(ts / "rng.safetensors"))
    except OLMError:
        raise
    except Exception as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FileFormatError(f"trainer state in {ts} is corrupt: {first}") from None
    torch.set_rng_state(rng["cpu"])
    cuda = [rng[k] for k in sorted(k for k in rng if k.startswith("cuda."))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda[: torch.cuda.device_count()])
    return info
