"""Run one fuzz example in a forked child under a time limit and an address-space limit.

A reader that hangs or asks for gigabytes must not take the test run with it, and must be
*seen*: the child gets ``RLIMIT_AS`` (its size at the fork plus ``memory`` bytes) and a
``SIGALRM`` after ``seconds`` (default action: the child dies), so a hang or an allocation
beyond the bound comes back as an outcome the test asserts on. The fork shares everything
already imported, so an example costs milliseconds, not an interpreter start.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from collections.abc import Callable
from typing import Any

PER_EXAMPLE_SECONDS = 20.0  # generous: a busy CI machine is slow, a hang is endless
PER_EXAMPLE_MEMORY = 2 << 30  # bytes an example may add to the address space


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _child(fn: Callable[..., Any], args: tuple, seconds: float, memory: int, out: int) -> None:
    from olm.core.errors import OLMError

    result = "uncaught: nothing reported"
    try:
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(1)  # no OpenMP region after fork
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        fn(*args)
        result = "ok"
    except OLMError as err:
        result = "olm: " + str(err)
    except MemoryError:
        result = "memory: MemoryError"
    except BaseException as err:  # noqa: BLE001 - the point is to report anything else
        result = f"uncaught: {type(err).__name__}: {err}"
    finally:
        os.write(out, result.encode("utf-8", "replace")[:4000])
        os._exit(0)


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float = PER_EXAMPLE_SECONDS,
                memory: int = PER_EXAMPLE_MEMORY) -> str:
    """``fn(*args)`` in a forked child: ``"ok"``, ``"olm: message"`` (an OLMError),
    ``"memory: ..."``, ``"hang: ..."``, ``"crash: ..."`` or ``"uncaught: Type: message"``."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _child(fn, args, seconds, memory, write)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):  # ends when the child exits (the alarm bounds it)
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGALRM:
            return f"hang: ran longer than {seconds} s"
        return f"crash: killed by {signal.Signals(sig).name}"
    return b"".join(chunks).decode("utf-8", "replace")


def is_bounded_answer(outcome: str) -> bool:
    """Whether ``outcome`` is a result or an OLMError: nothing else is allowed."""
    return outcome == "ok" or outcome.startswith("olm: ")
