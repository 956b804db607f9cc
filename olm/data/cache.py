"""The on-disk token cache: tokenized corpora as memory-mapped arrays.

Tokenizing 8 MB of text with BPE takes seconds; reading a memory-mapped array takes
nothing. Entries are keyed by a hash of the corpus text and the tokenizer, so a changed
file or tokenizer makes a new entry and never reads a stale one. The cache lives in the
user cache folder, or ``$OLM_CACHE_DIR`` when set (tests point it at a temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["cache_dir", "write_entry", "read_entry"]


def cache_dir() -> Path:
    """The root of olm's cache: ``$OLM_CACHE_DIR`` or the platform's user cache folder."""
    env = os.environ.get("OLM_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("olm", appauthor=False))


def _entry_dir(key: str) -> Path:
    return cache_dir() / "tokens" / key


def write_entry(key: str, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Store ``arrays`` (raw ``.bin`` files) and ``meta`` under ``key``, atomically.

    The entry is written into a temporary folder and renamed into place, so a reader
    never sees half an entry, and two processes writing the same key both succeed.
    """
    final = _entry_dir(key)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
    info = dict(meta)
    info["arrays"] = {}
    for name, arr in arrays.items():
        arr.tofile(tmp / f"{name}.bin")
        info["arrays"][name] = {"dtype": arr.dtype.str, "length": int(arr.shape[0])}
    (tmp / "meta.json").write_text(json.dumps(info, indent=1))
    try:
        os.replace(tmp, final)
    except OSError:  # another process won the race: its entry is as good as ours
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def read_entry(key: str) -> tuple[dict[str, np.ndarray], dict] | None:
    """The memory-mapped arrays and meta stored under ``key``, or None if absent/broken."""
    d = _entry_dir(key)
    try:
        meta = json.loads((d / "meta.json").read_text())
        arrays = {}
        for name, spec in meta["arrays"].items():
            length = int(spec["length"])
            if length == 0:
                arrays[name] = np.zeros(0, dtype=np.dtype(spec["dtype"]))
                continue
            arrays[name] = np.memmap(
                d / f"{name}.bin", dtype=np.dtype(spec["dtype"]), mode="r", shape=(length,)
            )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return arrays, meta
