"""Where training text comes from: the built-in corpus, a text file, or a folder.

The built-in corpus is the running Python's own standard library (``.py`` files), so a
trial run works offline on any machine with nothing downloaded. File order is sorted and
the size is capped, so the same spec gives the same text everywhere.
"""

from __future__ import annotations

import functools
import hashlib
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from olm.core.errors import FileFormatError, OLMError
from olm.core.files import open_regular

__all__ = ["Corpus", "resolve_corpus", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 8_000_000
_SKIP_DIRS = {"site-packages", "dist-packages", "__pycache__"}


@dataclass(frozen=True)
class Corpus:
    """A list of text files read in a fixed order, capped at ``max_bytes``.

    Args:
        name (str): how the corpus was named ("builtin", or the path given).
        files (tuple[Path, ...]): the files, in reading order.
        max_bytes (int | None): stop reading after this many bytes (None: read all).
    """

    name: str
    files: tuple[Path, ...]
    max_bytes: int | None = DEFAULT_MAX_BYTES

    def read_text(self) -> str:
        """The corpus as one string: files joined by blank lines, cut at ``max_bytes``."""
        parts: list[bytes] = []
        total = 0
        for path in self.files:
            # Streamed: never more than the bytes still wanted are read (a 30 GB file
            # costs what the cap allows), and only regular files are opened.
            want = None if self.max_bytes is None else max(self.max_bytes - total, 0)
            try:
                with open_regular(path, "corpus file") as handle:
                    data = handle.read() if want is None else handle.read(want)
            except FileFormatError as err:  # names the path and the reason
                raise OLMError(f"cannot read corpus file {err}") from None
            except OSError as err:
                raise OLMError(f"cannot read corpus file {path}: {err.strerror or err}") from None
            parts.append(data)
            total += len(data) + 2
            if self.max_bytes is not None and total >= self.max_bytes:
                break
        text = b"\n\n".join(parts).decode("utf-8", errors="replace")
        if not text.strip():
            raise OLMError(f"corpus {self.name!r} contains no text")
        return text

    def fingerprint(self, text: str) -> str:
        """A short hash of the text itself (the token cache key's corpus half)."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _stdlib_files() -> tuple[Path, ...]:
    """The standard library's source files, listed once per process (walking the tree
    takes seconds on a loaded machine, and the installation does not change under us)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = [
        p
        for p in root.rglob("*.py")
        if not (_SKIP_DIRS & set(p.relative_to(root).parts)) and p.is_file()
    ]
    return tuple(sorted(files, key=lambda p: p.relative_to(root).as_posix()))


def _is_text(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return False
    return b"\0" not in head


def _folder_files(root: Path) -> list[Path]:
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted((p for p in files if _is_text(p)), key=lambda p: p.relative_to(root).as_posix())


def resolve_corpus(spec: str, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Corpus:
    """Turn ``--data`` into a :class:`Corpus`.

    Args:
        spec: ``"builtin"`` (the standard library's ``.py`` files), a text file, or a folder
            (every non-hidden text file under it).
        max_bytes: cap on the bytes read; None reads everything.

    Raises:
        OLMError: the path does not exist, or holds no text files.
    """
    if spec == "builtin":
        files = _stdlib_files()
        if not files:
            raise OLMError("the built-in corpus is empty: no standard-library .py files found")
        return Corpus("builtin", tuple(files), max_bytes)
    path = Path(spec).expanduser()
    if path.is_file():
        return Corpus(spec, (path,), max_bytes)
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            raise OLMError(f"data folder {spec} contains no text files")
        return Corpus(spec, tuple(files), max_bytes)
    raise OLMError(f"data {spec!r} is neither 'builtin', a text file, nor a folder")
