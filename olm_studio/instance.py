"""Which running OLM Studio owns the recovery file: a live instance, or a crashed one.

Every instance autosaves unsaved edits to the same recovery file in the settings folder,
and a start that finds one offers it back ("did not shut down cleanly"). A second
instance started while the first runs found the first's autosave and said so, wrongly.
The owner of the recovery file is recorded beside it as its process id and that
process's start time (so a later process that reuses the id is not mistaken for it);
:func:`is_live` tells a running owner from a dead one. No Qt here.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["owner_record", "is_live", "live_owner", "owner_path"]


def owner_path(recovery: Path) -> Path:
    """Where the owner of the recovery file ``recovery`` is recorded (beside it)."""
    return recovery.with_name("recovery.owner")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def owner_record(pid: int | None = None) -> str:
    """This process (or ``pid``) as one line: ``"PID START"`` (START may be ``-``)."""
    pid = os.getpid() if pid is None else pid
    return f"{pid} {_start_time(pid) or '-'}"


def is_live(record: str) -> bool:
    """True when ``record`` names another process that is still running.

    This very process counts as not live (one Studio per process: a record of our own pid
    was left by an earlier window of this process), and so does a record that cannot be
    read, a process that has exited, or one whose start time differs (a reused id).
    """
    parts = record.split()
    try:
        pid = int(parts[0])
    except (IndexError, ValueError):
        return False
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return False
    started = parts[1] if len(parts) > 1 else "-"
    now = _start_time(pid)
    return started == "-" or now is None or now == started


def live_owner(path: Path) -> bool:
    """True when the owner file ``path`` names another running instance."""
    try:
        return is_live(path.read_text(encoding="ascii", errors="replace"))
    except OSError:
        return False
