"""Checkpoint folders: the one place that writes and reads them.

:func:`save` writes a folder (weights, graph document, tokenizer, exact trainer state) and
:func:`load` reads one back as a :class:`Checkpoint`. ``Block.save``, ``olm train``,
``olm generate``, ``olm export``, ``olm import-hf`` and the Studio all go through these two;
the file names come from :mod:`olm.store.layout`, which also draws the folder.

Why it is shaped like this:

- No pickle anywhere: the model is rebuilt from its document (or the run's recorded
  source) and the weights are filled in from safetensors, so opening a folder someone sent
  you never runs their code.
- A folder is written under a temporary name and renamed into place, so a crash mid-write
  leaves the previous checkpoint intact. A ``kill -9`` can still leave the temporary folder
  behind; :func:`clean_leftovers` removes it on the run's next start.
- ``manifest.json`` records every file's sha256. :func:`load` checks it, and a damaged
  step checkpoint (flipped bytes, truncated files, NaN weights) makes it fall back to the
  previous one with a :class:`DamagedCheckpointWarning`, or fail with one clear line when
  none is usable. A folder without a manifest (written before manifests, or with it
  deleted) still loads, but with an :class:`UnverifiedCheckpointWarning` that says its
  bytes were not checked: a flipped byte never loads silently.
- Nothing in a received run folder leads outside it: a ``checkpoints`` folder or step
  folder that is a link is refused before pruning deletes anything
  (:func:`prune_checkpoints`), and a recorded relative source is read from the run's own
  folder, never from the current one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, load_model, save_file, save_model
from torch import nn

from olm.core.errors import ConfigError, FileFormatError, OLMError
from olm.core.warnings import OLMWarning
from olm.store import layout

__all__ = [
    "Checkpoint",
    "DamagedCheckpointWarning",
    "UnverifiedCheckpointWarning",
    "CheckpointWriteError",
    "prune_checkpoints",
    "refuse_links",
    "save",
    "load",
    "save_checkpoint",
    "verify",
    "clean_leftovers",
    "load_weights",
    "load_trainer_state",
    "read_state",
    "resolve_checkpoint",
    "list_checkpoints",
    "STEP_PREFIX",
]

STEP_PREFIX = layout.STEP_PREFIX
_FORMAT = 1
_MANIFEST_FORMAT = 1
_MAX_JSON_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20


class DamagedCheckpointWarning(OLMWarning):
    """A checkpoint failed its checks and an earlier one of the same run was loaded."""


class CheckpointWriteError(OLMError):
    """A checkpoint could not be written (a full disk, a vanished folder); the previous
    checkpoint is left as it was."""


class UnverifiedCheckpointWarning(OLMWarning):
    """A checkpoint without ``manifest.json`` was loaded: its bytes could not be checked."""


@dataclass
class Checkpoint:
    """What :func:`load` read from one checkpoint folder.

    Args:
        path: the folder actually loaded (an earlier one when the newest was damaged).
        model: the rebuilt model with the checkpoint's weights, on the CPU.
        graph: its ``olm.graph`` document, or None for a model built from a recorded source
            the graph cannot describe.
        tokenizer: the tokenizer saved with it, or None.
        state: ``trainer_state/state.json`` (step, config, counters); empty if absent.
    """

    path: Path
    model: nn.Module
    graph: Any = None
    tokenizer: Any = None
    state: dict = field(default_factory=dict)


# -- writing ------------------------------------------------------------------------------

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


def _write_graph(folder: Path, model: nn.Module, graph: Any, required: bool) -> None:
    import olm.graph

    if required:
        olm.graph.save(graph if graph is not None else olm.graph.from_module(model),
                       folder / layout.MODEL_DOCUMENT)
        return
    try:
        doc = graph if graph is not None else olm.graph.from_module(model)
        olm.graph.save(doc, folder / layout.MODEL_DOCUMENT)
    except Exception:  # the document is optional here: a model olm.graph cannot
        pass  # describe still checkpoints, and resumes through its recorded source


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(folder: Path) -> None:
    """List every file under ``folder`` with its size and sha256 (written last)."""
    files = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not p.is_symlink() and rel != layout.MANIFEST:
            files[rel] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
    text = json.dumps({"format": _MANIFEST_FORMAT, "files": files}, indent=1)
    (folder / layout.MANIFEST).write_text(text + "\n", encoding="utf-8")


def _write_files(folder: Path, model: nn.Module, tokenizer, graph, optimizer, scheduler,
                 state: dict | None, require_document: bool) -> None:
    save_model(model, str(folder / layout.WEIGHTS), metadata={"format": "olm"})
    _write_graph(folder, model, graph, require_document)
    if tokenizer is not None:
        tokenizer.save(folder / layout.TOKENIZER_DIR)
    if optimizer is None and scheduler is None and state is None:
        return
    ts = folder / layout.TRAINER_STATE_DIR
    ts.mkdir()
    info = {"format": _FORMAT, **(state or {})}
    if optimizer is not None:
        tensors, meta = _optimizer_tensors(optimizer)
        save_file(tensors, str(ts / layout.OPTIMIZER_FILE))
        info["optimizer"] = meta
    if scheduler is not None:
        info["scheduler"] = scheduler.state_dict()
    save_file(_rng_tensors(), str(ts / layout.RNG_FILE))
    (ts / layout.STATE_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")


def _replace_dir(tmp: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = layout.replaced_path(final)
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _merge_into(tmp: Path, final: Path) -> None:
    """Move each staged entry into an existing folder, the manifest last."""
    names = sorted(p.name for p in tmp.iterdir() if p.name != layout.MANIFEST)
    for name in [*names, layout.MANIFEST]:
        target = final / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(tmp / name, target)
    tmp.rmdir()


def save(
    folder: str | os.PathLike,
    model: nn.Module,
    *,
    tokenizer: Any = None,
    graph: Any = None,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any = None,
    state: dict | None = None,
    replace: bool = True,
    require_document: bool = False,
) -> Path:
    """Write a checkpoint folder; returns its path.

    Args:
        folder: the checkpoint folder.
        model: the bare model (not DDP- or compile-wrapped).
        tokenizer: saved under ``tokenizer/`` when given.
        graph: the graph document; derived from ``model`` when None and olm.graph can.
        optimizer: its state goes to ``trainer_state/optimizer.safetensors``.
        scheduler: its ``state_dict()`` goes to ``trainer_state/state.json``.
        state: more JSON-able trainer state (step, config, counters). ``trainer_state/``
            is written when any of optimizer, scheduler or state is given.
        replace: True: the whole folder is swapped in atomically (a run's checkpoints);
            False: the files are written into ``folder``, which may hold other files
            (``Block.save``), each replaced whole.
        require_document: raise when the model cannot be described as a graph document
            instead of saving it without one.

    Raises:
        OLMError: ``require_document`` and the model has parts olm.graph cannot describe.
        CheckpointWriteError: the folder cannot be written (a full disk, no permission);
            a folder being replaced is left as it was.
    """
    final = Path(folder)
    if replace:
        if final.parent.name == layout.CHECKPOINTS_DIR:
            refuse_links(final.parent.parent)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.parent.name == layout.CHECKPOINTS_DIR:
            clean_leftovers(final.parent.parent)
        tmp = layout.staging_path(final)
    else:
        final.mkdir(parents=True, exist_ok=True)
        tmp = final / f"{layout.STAGING_PREFIX}save-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_files(tmp, model, tokenizer, graph, optimizer, scheduler, state,
                     require_document)
        _write_manifest(tmp)
        if replace:
            _replace_dir(tmp, final)
        else:
            _merge_into(tmp, final)
    except OLMError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as err:  # OSError, or safetensors' own error on a full disk
        shutil.rmtree(tmp, ignore_errors=True)
        raise CheckpointWriteError(f"cannot write checkpoint {final}: {_why(err)} (the previous "
                                   "checkpoint is unchanged)") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _why(err: Exception) -> str:
    """One line for a write failure (safetensors wraps ENOSPC in its own error type)."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


save_checkpoint = save  # the name olm.train and Trainer.save_checkpoint have always used


# -- staying inside the run folder ----------------------------------------------------------

def refuse_links(run_dir: str | os.PathLike) -> None:
    """Refuse a run folder where a layout entry (or a step checkpoint) is a link.

    A received run folder could make ``checkpoints`` (or ``checkpoints/step_*``) a symlink
    to somewhere else, and pruning old checkpoints would then delete files outside the run.

    Raises:
        ConfigError: one line naming the entry.
    """
    root = Path(run_dir)
    entries = [root / name for name in layout.RUN_FOLDER_ENTRIES]
    steps = root / layout.CHECKPOINTS_DIR
    if steps.is_dir() and not steps.is_symlink():
        entries += [p for p in steps.iterdir() if p.name.startswith(STEP_PREFIX)]
    for entry in entries:
        if entry.is_symlink():
            raise ConfigError(f"{entry} is a link; olm writes and deletes only inside the run "
                              "folder, so a layout entry must be a real file or folder "
                              "(remove the link, or copy the run without links)")


def prune_checkpoints(run_dir: str | os.PathLike, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` step checkpoints; returns what was deleted.

    Raises:
        ConfigError: the folder's ``checkpoints`` (or a step folder) is a link
            (:func:`refuse_links`); nothing is deleted then.
    """
    refuse_links(run_dir)
    old = list_checkpoints(run_dir)[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


# -- leftovers from a killed save ----------------------------------------------------------

def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (conservatively True where that cannot be told)."""
    if pid == os.getpid():
        return False  # this process is not saving while it cleans
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's live process
        return True
    return True


def _is_run_entry(name: str) -> bool:
    return name.startswith(layout.STEP_PREFIX) or name == layout.FINAL_DIR


def clean_leftovers(run_dir: str | os.PathLike) -> list[Path]:
    """Remove what a killed save left in a run folder; returns the paths removed.

    A ``.tmp-step_*-PID`` staging folder is deleted. A ``.old-NAME-PID`` folder (the previous
    checkpoint, moved aside just before its replacement was renamed in) is put back when
    ``NAME`` is missing, else deleted. Folders of a process that still runs are left alone,
    and nothing but a run's own checkpoint names is touched.
    """
    removed: list[Path] = []
    root = Path(run_dir)
    for parent in (root, root / layout.CHECKPOINTS_DIR):
        if not parent.is_dir():
            continue
        for entry in sorted(parent.iterdir()):
            owner = layout.leftover_owner(entry.name)
            if owner is None or entry.is_symlink() or not entry.is_dir():
                continue
            kind, name, pid = owner
            if not _is_run_entry(name) or _alive(pid):
                continue
            if kind == "replaced" and not (parent / name).exists():
                os.replace(entry, parent / name)
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


# -- finding checkpoints ---------------------------------------------------------------------

def list_checkpoints(run_dir: str | os.PathLike) -> list[Path]:
    """The step checkpoints in a run folder, oldest first."""
    d = Path(run_dir) / layout.CHECKPOINTS_DIR
    if not d.is_dir():
        return []
    found = [p for p in d.iterdir() if p.name.startswith(STEP_PREFIX) and p.is_dir()]
    return sorted(found, key=lambda p: p.name)


def _is_step_folder(p: Path) -> bool:
    return p.name.startswith(STEP_PREFIX) and p.parent.name == layout.CHECKPOINTS_DIR


def _candidates(path: str | os.PathLike) -> list[Path]:
    """Checkpoint folders to try for ``path``, best first (then the earlier ones of its run)."""
    p = Path(path)
    if not p.is_dir():
        raise FileFormatError(f"{p}: not a checkpoint folder (no such folder)")
    if _is_step_folder(p):
        older = [c for c in list_checkpoints(p.parent.parent) if c.name < p.name]
        return [p, *reversed(older)]
    if (p / layout.WEIGHTS).is_file():
        return [p]
    found = [p / layout.FINAL_DIR] if (p / layout.FINAL_DIR / layout.WEIGHTS).is_file() else []
    found += reversed(list_checkpoints(p))
    if found:
        return found
    if (p / layout.MODEL_DOCUMENT).is_file() and not (p / layout.RECORD).is_file():
        return [p]  # a checkpoint without weights: loading it says so
    if (p / layout.PICKLED_MODEL).exists():
        return [p]  # loading it explains why a pickle is refused
    raise FileFormatError(
        f"{path} is not a checkpoint or run folder (no {layout.WEIGHTS} found)")


def resolve_checkpoint(path: str | os.PathLike) -> Path:
    """A checkpoint folder from a checkpoint folder or a run folder (its latest checkpoint).

    Raises:
        OLMError: nothing checkpoint-like is there.
    """
    return _candidates(path)[0]


# -- reading ----------------------------------------------------------------------------------

def _read_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > _MAX_JSON_BYTES:
            raise FileFormatError(f"{path}: {size:,} bytes is too large")
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise FileFormatError(f"{path} is corrupt: {err}") from None


def _manifest_files(path: Path) -> dict[str, dict]:
    data = _read_json(path)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise FileFormatError(f"{path} is corrupt: it has no \"files\" table")
    for rel, entry in files.items():
        parts = Path(rel).parts
        ok = (not Path(rel).is_absolute() and ".." not in parts and parts
              and isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
              and type(entry.get("bytes")) is int)
        if not ok:
            raise FileFormatError(f"{path} is corrupt: bad entry {rel!r}")
    return files


def verify(folder: str | os.PathLike) -> None:
    """Check every file against the folder's ``manifest.json``.

    Without a manifest there is nothing to check against; :func:`load` warns about that
    (:class:`UnverifiedCheckpointWarning`) rather than this function guessing.

    Raises:
        FileFormatError: a listed file is missing, or its size or sha256 differ; the message
            names the file.
    """
    root = Path(folder)
    manifest = root / layout.MANIFEST
    if not manifest.is_file():
        return
    for rel, entry in _manifest_files(manifest).items():
        p = root / rel
        if not p.is_file():
            raise FileFormatError(f"{p} is missing (it is listed in {layout.MANIFEST})")
        if p.stat().st_size != entry["bytes"] or _sha256(p) != entry["sha256"]:
            raise FileFormatError(f"{p} is corrupt: its sha256 does not match {layout.MANIFEST}")


def _check_state(info: Any, where: Path) -> None:
    """Refuse a ``state.json`` whose fields have the wrong types, naming the field."""
    if not isinstance(info, dict):
        raise FileFormatError(f"{where}: must hold a JSON object, not {type(info).__name__}")
    step = info.get("step", 0)
    if type(step) is not int or step < 0:
        raise FileFormatError(f"{where}: \"step\" must be a whole number >= 0, not {step!r}")
    for key in ("config", "scheduler", "optimizer"):
        if key in info and not isinstance(info[key], dict):
            raise FileFormatError(f"{where}: \"{key}\" must be a JSON object, "
                                  f"not {type(info[key]).__name__}")
    opt = info.get("optimizer")
    if opt is not None and not (isinstance(opt.get("param_groups"), list)
                                and isinstance(opt.get("scalars"), dict)):
        raise FileFormatError(f"{where}: \"optimizer\" needs a \"param_groups\" list "
                              "and a \"scalars\" object")
    for key in ("tokens", "elapsed_s", "val_loss"):
        value = info.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise FileFormatError(f"{where}: \"{key}\" must be a number, not {value!r}")


def read_state(folder: str | os.PathLike) -> dict:
    """``trainer_state/state.json`` of a checkpoint (empty dict if absent), type-checked.

    Raises:
        FileFormatError: it is not JSON, or a field has the wrong type.
    """
    f = layout.state_path(folder)
    if not f.is_file():
        return {}
    info = _read_json(f)
    _check_state(info, f)
    return info


def load_weights(folder: str | os.PathLike, model: nn.Module) -> None:
    """Load ``model.safetensors`` into ``model`` (strict: every tensor must match).

    Raises:
        FileFormatError: the file is missing, unreadable, or holds other tensors.
    """
    f = Path(folder) / layout.WEIGHTS
    try:
        missing, unexpected = load_model(model, str(f), strict=False)
    except FileNotFoundError:
        raise FileFormatError(f"{f} does not exist") from None
    except RuntimeError as err:  # load_state_dict: shapes differ
        first = str(err).strip().splitlines()[-1].strip() if str(err).strip() else ""
        raise FileFormatError(f"{f} does not match the model: {first}") from None
    except Exception as err:  # safetensors raises its own error types for damaged files
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FileFormatError(f"{f} is corrupt: it cannot be read ({first})") from None
    if missing or unexpected:
        raise FileFormatError(
            f"{f} does not match the model: missing {sorted(missing)[:3]}, "
            f"unexpected {sorted(unexpected)[:3]}"
        )


def _check_finite(folder: Path, model: nn.Module) -> None:
    for name, p in model.named_parameters():
        if not p.is_floating_point() or bool(torch.isfinite(p.detach().sum())):
            continue  # a finite sum means every value is finite (one pass, no mask)
        if not bool(torch.isfinite(p).all()):  # else it may just have overflowed
            raise FileFormatError(f"{folder / layout.WEIGHTS} is corrupt: {name} holds NaN or "
                                  "infinite values")


def _build(folder: Path, state: dict, source: Any) -> tuple[Any, nn.Module]:
    """The checkpoint's model: from its document, else from the given or recorded source."""
    doc = folder / layout.MODEL_DOCUMENT
    if source is None and doc.is_file():
        import olm.graph

        graph = olm.graph.load(doc)
        return graph, olm.graph.build(graph)
    if isinstance(source, nn.Module):
        return None, source
    if source is None:
        source = state.get("config", {}).get("source")
        if source is not None and not isinstance(source, str):
            raise FileFormatError(f"{layout.state_path(folder)}: the recorded \"source\" must "
                                  f"be a string, not {type(source).__name__}")
        if source is not None:
            source = _recorded_source(folder, source)
    if source is None:
        if (folder / layout.PICKLED_MODEL).exists():
            raise FileFormatError(
                f"{folder}: holds only a pickled {layout.PICKLED_MODEL}, which olm never loads "
                "because unpickling can run arbitrary code; re-save it with Block.save"
            )
        raise FileFormatError(f"{folder}: no {layout.MODEL_DOCUMENT} and no recorded source "
                              "(is this an olm checkpoint?)")
    import olm.graph

    graph = olm.graph.from_source(source)
    return graph, olm.graph.build(graph)


def _run_root(folder: Path) -> Path:
    """The run folder a checkpoint folder belongs to (itself when it stands alone)."""
    if folder.parent.name == layout.CHECKPOINTS_DIR:
        return folder.parent.parent
    if folder.name in (layout.FINAL_DIR, layout.STUDIO_CHECKPOINT_DIR):
        return folder.parent
    return folder


def _recorded_source(folder: Path, source: str) -> str:
    """A source recorded in a checkpoint, with a relative path read from the run's own
    folder (never the current one, which would depend on where olm was started)."""
    path = Path(source)
    if path.is_absolute() or not (source.endswith((".py", ".json")) or len(path.parts) > 1):
        return source  # a preset name, or an absolute path the state names as is
    for base in (folder, _run_root(folder)):
        if (base / path).exists():
            return str(base / path)
    raise FileFormatError(f"{folder}: no {layout.MODEL_DOCUMENT}, and its recorded source "
                          f"{source!r} is not in the run folder {_run_root(folder)} (a relative "
                          "source is never looked up in the current folder)")


def _load_one(folder: Path, source: Any, unverified: list[Path]) -> Checkpoint:
    if not (folder / layout.MANIFEST).is_file():
        unverified.append(folder)
    verify(folder)
    state = read_state(folder)
    graph, model = _build(folder, state, source)
    if not (folder / layout.WEIGHTS).is_file():
        raise FileFormatError(f"{folder}: no {layout.WEIGHTS} beside {layout.MODEL_DOCUMENT}")
    load_weights(folder, model)
    _check_finite(folder, model)
    tokenizer = None
    if (folder / layout.TOKENIZER_DIR).is_dir():
        from olm.data import load_tokenizer_dir

        tokenizer = load_tokenizer_dir(folder / layout.TOKENIZER_DIR)
    return Checkpoint(path=folder, model=model, graph=graph, tokenizer=tokenizer, state=state)


def load(path: str | os.PathLike, *, source: Any = None) -> Checkpoint:
    """Read a checkpoint folder, or a run folder's newest usable checkpoint.

    Every file is checked against the manifest and the weights must be finite. When a
    step checkpoint of a run fails, the previous one is tried, with a
    :class:`DamagedCheckpointWarning` naming what was skipped and why.

    Args:
        path: a checkpoint folder, a run's ``checkpoints/step_*`` folder, or a run folder.
        source: build the model from this SOURCE (preset, ``.olm.json``, ``.py``, module)
            rather than the saved document.

    Returns:
        Checkpoint: the model with its weights, document, tokenizer and trainer state.

    Raises:
        FileFormatError: nothing checkpoint-like is there, or every candidate is damaged
            (the message names the newest and why).
    """
    candidates = _candidates(path)
    reasons: list[str] = []
    unverified: list[Path] = []
    for folder in candidates:
        try:
            loaded = _load_one(folder, source, unverified)
        except FileFormatError as err:
            if len(candidates) == 1:
                raise
            reasons.append(str(err))
            continue
        if reasons:
            warnings.warn(DamagedCheckpointWarning(
                f"skipped {len(reasons)} damaged checkpoint(s) ({reasons[0]}); "
                f"loaded the previous good one, {folder}"), stacklevel=2)
        if folder in unverified:
            warnings.warn(UnverifiedCheckpointWarning(
                f"{folder} has no {layout.MANIFEST}, so its files were not checked: a damaged "
                "or altered file loads as is; load only checkpoints you trust, or re-save it "
                "to write a manifest"), stacklevel=2)
        return loaded
    raise FileFormatError(f"no usable checkpoint in {path}: all {len(candidates)} are "
                          f"damaged; the newest: {reasons[0]}")


def load_trainer_state(folder: str | os.PathLike, optimizer=None, scheduler=None) -> dict:
    """Restore optimizer, scheduler and RNG states; returns ``state.json``'s contents.

    Raises:
        FileFormatError: the state is missing or does not fit the optimizer.
    """
    ts = Path(folder) / layout.TRAINER_STATE_DIR
    info = read_state(folder)
    if not info:
        raise FileFormatError(f"{ts / layout.STATE_FILE} is missing: cannot resume from {folder}")
    try:
        if optimizer is not None and "optimizer" in info:
            tensors = load_file(str(ts / layout.OPTIMIZER_FILE))
            optimizer.load_state_dict(_optimizer_state_dict(tensors, info["optimizer"]))
        if scheduler is not None and "scheduler" in info:
            scheduler.load_state_dict(info["scheduler"])
        rng = load_file(str(ts / layout.RNG_FILE))
        torch.set_rng_state(rng["cpu"])
    except OLMError:
        raise
    except Exception as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise FileFormatError(f"trainer state in {ts} is corrupt: {first}") from None
    cuda = [rng[k] for k in sorted(k for k in rng if k.startswith("cuda."))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda[: torch.cuda.device_count()])
    return info
