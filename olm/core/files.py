"""Bounded reads and safe writes: how olm touches the files a user names.

Reading: a file olm reads is a regular file, read with a size cap.

A path handed to olm may be a link to ``/dev/zero`` (endless), a FIFO (opening it blocks
until someone writes), a device, or a 30 GB file. :func:`open_regular` opens without
blocking and refuses anything that is not a regular file *after* opening (``fstat`` on
the open descriptor, so a file swapped in between cannot slip past); :func:`read_bytes`
reads at most ``limit`` bytes and refuses a larger file before reading any of it.

Writing: :func:`check_output_path` finds the usual mistakes (a parent that is a file, a
read-only folder, a name longer than the file system allows) before any work is done,
and :func:`atomic_write_text` writes a temporary file beside the target, syncs it and
renames it over the target, so a crash leaves the old file or the new one, never half.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from olm.core.errors import FileFormatError

__all__ = ["atomic_write_text", "check_output_path", "open_regular", "read_bytes", "read_text"]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | os.PathLike, what: str = "file") -> BinaryIO:
    """Open ``path`` for binary reading, refusing anything but a regular file.

    Args:
        path: the file (links are followed; what they point at must be a regular file).
        what: how to name the file in messages ("project file", "corpus file").

    Raises:
        FileFormatError: missing, unreadable, or not a regular file (folder, FIFO, device).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileFormatError(f"{path}: is a folder, not a {what}") from None
    except OSError as err:
        raise FileFormatError(f"{path}: cannot be opened ({err.strerror or err})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileFormatError(f"{path}: is {_kind(mode)}, not a regular {what}; olm reads only regular files")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | os.PathLike, limit: int, what: str = "file") -> bytes:
    """The content of regular file ``path``, refused if it holds more than ``limit`` bytes.

    Raises:
        FileFormatError: not a regular file, unreadable, or larger than ``limit``.
    """
    with open_regular(path, what) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise FileFormatError(f"{path}: {size:,} bytes is too large for a {what} (at most {limit:,})")
        try:
            data = handle.read(limit + 1)
        except OSError as err:
            raise FileFormatError(f"{path}: cannot be read ({err.strerror or err})") from None
    if len(data) > limit:  # the file grew while it was read
        raise FileFormatError(f"{path}: more than {limit:,} bytes is too large for a {what}")
    return data


def read_text(path: str | os.PathLike, limit: int, what: str = "file") -> str:
    """:func:`read_bytes` decoded as UTF-8 (a clear error naming the byte otherwise)."""
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FileFormatError(f"{path}: byte {err.start}: not UTF-8 text") from None


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def check_output_path(path: str | os.PathLike, what: str = "file", folder: bool = False) -> Path:
    """Check that ``path`` can be written, before any work is done.

    Args:
        path: the file (or, with ``folder=True``, the folder) to be written.
        what: how to name it in messages ("output file").
        folder: ``path`` is a folder to be created or filled, not a file.

    Returns:
        Path: ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OLMError: the name is too long, a parent is a file, the nearest existing
            folder is not writable, or a file is expected where a folder is (or back).
    """
    from olm.core.errors import OLMError

    path = Path(path)
    for part in path.parts:
        if len(os.fsencode(part)) > 255:
            raise OLMError(
                f"{part[:40]}...: a name of {len(os.fsencode(part))} bytes is longer than "
                "file systems allow (255)"
            )
    if path.is_dir() and not folder:
        raise OLMError(f"{path} is a folder; the {what} must be a file")
    if not path.name:
        raise OLMError(f"{path}: the {what} needs a name")
    if path.exists() and folder and not path.is_dir():
        raise OLMError(f"{path} is a file; the {what} must be a folder")
    existing = path.parent if not path.exists() else path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir() and existing != path:
        raise OLMError(f"{existing} is a file, so {path} cannot be created inside it")
    limit = _name_max(existing if existing.is_dir() else existing.parent)
    if len(os.fsencode(path.name)) > limit:
        raise OLMError(f"{path.name[:40]}...: the name is longer than this file system allows ({limit})")
    target_dir = existing if existing.is_dir() else existing.parent
    if not os.access(target_dir, os.W_OK | os.X_OK):
        raise OLMError(f"{target_dir} is not writable, so {path} cannot be written")
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically: a synced temporary file, then a rename.

    The temporary file has a short name of its own (a long target name cannot overflow
    the file system's limit) and is removed on any failure.

    Returns:
        Path: the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".olm-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
