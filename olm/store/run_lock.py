"""One run folder, one owner: a lock held for the life of an ``olm train`` process.

Two processes training into the same ``--out`` would interleave events and prune each
other's checkpoints, so the first takes the folder's lock file (``layout.LOCK_NAME``) and a second is refused
with the holder's PID. The lock is an OS file lock (``flock`` on Unix, ``msvcrt`` on
Windows): the kernel drops it when its process dies, however it dies, so a lock left by a
killed run is stale by construction and the next run simply takes it over (the file
stays behind with the dead PID in it; that is information, not a lock). The lock file
is opened without following links: a received run folder whose lock is a symlink is
refused, never used to truncate the file it points to.

Also here: :func:`check_output_path`, which finds an unusable output path (a file where
a folder must go, a folder where a file must go, no write permission) before the first
step rather than at the first save.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from pathlib import Path

from olm.core.errors import ConfigError
from olm.store.layout import LOCK_NAME

__all__ = ["RunLock", "LOCK_NAME", "check_output_path"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has no symlinked files to follow here

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    """Who holds a lock, from what its holder wrote (best effort: it may be mid-write)."""
    try:
        info = json.loads(path.read_text(encoding="utf-8")[:4096])
        pid = int(info["pid"])
        host = str(info.get("host", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
    return f"PID {pid}" + (f" on {host}" if host and host != socket.gethostname() else "")


class RunLock:
    """An exclusive lock on a run folder for as long as this object holds it.

    Args:
        folder: the run folder (created if missing).

    Use as a context manager, or :meth:`acquire` / :meth:`release`.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._fd: int | None = None
        self.took_over: str | None = None  # the stale holder replaced, if any

    def acquire(self) -> RunLock:
        """Take the lock, or refuse naming the process that holds it.

        Raises:
            ConfigError: another live process holds the folder.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
            raise ConfigError(f"{self.path} is a link or not a regular file; a run folder's lock "
                              "must be a plain file (a received folder may point it at another "
                              "file, which olm would empty): remove it and try again")
        try:  # no-follow: a link swapped in after the check above is refused, not truncated
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
        except OSError as err:
            raise ConfigError(f"{self.path} cannot be opened as a lock file: "
                              f"{err.strerror or err}") from None
        if not _try_lock(fd):
            os.close(fd)
            raise ConfigError(
                f"run folder {self.folder} is in use by {_holder(self.path)} (olm train); "
                "wait for it to end, stop it, or choose another --out")
        previous = os.read(fd, 4096)
        if previous.strip():
            self.took_over = _holder(self.path)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": round(time.time(), 3)}
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go (also happens when the process ends, however it ends)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # an empty file: nobody held it when we left
            _unlock(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def check_output_path(what: str, path: str | os.PathLike[str], *, folder: bool) -> None:
    """Refuse an output path that cannot be written, before any work is done.

    Args:
        what: the option it came from (``"--out"``), for the message.
        path: where the output will go.
        folder: True for a folder (``--out``), False for a file (``--events``).

    Raises:
        ConfigError: one line naming the path and what is wrong with it.
    """
    p = Path(path)
    if p.exists():
        if folder and not p.is_dir():
            raise ConfigError(f"{what} {p} is a file; it must be a folder (or not exist yet)")
        if not folder and p.is_dir():
            raise ConfigError(f"{what} {p} is a folder; it must be a file")
        if not folder and not p.is_file():
            raise ConfigError(f"{what} {p} is not a regular file")
        if not _writable(p, folder):
            raise ConfigError(f"{what} {p} is not writable")
        return
    parent = p.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"{what} {p}: {parent} is a file, so nothing can be made under it")
    if not _writable(parent, True):
        raise ConfigError(f"{what} {p}: folder {parent} is not writable")


def _writable(path: Path, folder: bool) -> bool:
    """Whether we can write there, by trying (permission bits lie to root and on read-only
    mounts); nothing is left behind and an existing file is not changed."""
    try:
        if folder:
            fd, name = tempfile.mkstemp(dir=path, prefix=".olm-write-check-")
            os.close(fd)
            os.unlink(name)
        else:
            with open(path, "ab"):
                pass
    except OSError:
        return False
    return True
