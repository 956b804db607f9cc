"""Which tests wait on something outside their own thread: the ``process`` marker's owner.

A test waits when it, a helper it calls or a fixture it uses acts while something else
runs: it starts a child process and goes on beside it, runs the Qt event loop until a
signal or a condition, starts a timer or a thread, installs an OS signal handler, or
sleeps. Such a test is the kind that
can pass or fail by how fast the machine is, so `tests/repeat.sh 20 -m "process and not gpu"`
reruns exactly these, quiet and with both cores busy.

The root ``conftest.py`` marks every such test at collection with :func:`why_it_waits`, so
a new test cannot forget the marker. The search reads source code: the test's own body
(nested functions included), then every function of the tests folder it calls by name, and
the fixtures it uses that the tests folder defines, recursively.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# A call by any of these names, plain (``Popen(...)``) or as an attribute (``qtbot.waitUntil``),
# means the test acts while something else runs: the order of the two can vary.
WAITING_CALLS = {
    # Qt's event loop runs until something happens elsewhere
    "waitUntil": "waits in the Qt event loop for a condition",
    "waitSignal": "waits for a Qt signal",
    "waitSignals": "waits for Qt signals",
    "waitCallback": "waits for a Qt callback",
    "singleShot": "starts a Qt timer",
    "QTimer": "starts a Qt timer",
    # child processes that run while the test goes on
    "Popen": "runs a child process beside the test",
    "QProcess": "runs a child process beside the test",
    "communicate": "waits on a child process",
    "send_signal": "signals a child process",
    "killpg": "signals a process group",
    "stop_and_wait": "stops a training child and waits for it",
    "run_two_ranks": "runs two torchrun ranks that race each other",
    "wait": "waits on a process, an event or the event loop",
    # timers, threads and OS signals
    "sleep": "sleeps",
    "setitimer": "starts an OS timer",
    "alarm": "starts an OS timer",
    "Thread": "starts a thread",
    "ThreadPoolExecutor": "starts threads",
    "raise_signal": "raises an OS signal",
}
# Calls that wait only on one particular object: ``signal.signal``, not ``panel.signal``.
WAITING_METHODS = {
    ("signal", "signal"): "installs an OS signal handler",
    ("os", "kill"): "signals a process",
}
# Not in the lists, on purpose: ``subprocess.run`` and ``qtbot.waitExposed``. A child that
# the test starts and reads only once it has exited cannot race the test, and an offscreen
# window is exposed when shown; their bounds are still the generous ones of
# ``waiting.py``. Children that race each other (two torchrun ranks) are started through
# ``run_two_ranks``, listed above.


def _call_name(call: ast.Call) -> tuple[str | None, str]:
    """``(owner, name)`` of a call: ``(None, "f")`` for ``f()``, ``("a", "f")`` for ``a.f()``."""
    func = call.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, ""


def _in_tests(obj: object) -> bool:
    try:
        return Path(inspect.getsourcefile(obj) or "").resolve().is_relative_to(TESTS)
    except TypeError:  # a builtin or a C extension
        return False


def _tree(func: Callable) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None


def _local_imports(tree: ast.AST) -> dict[str, object]:
    """What ``from module import name`` statements inside a function bind."""
    names: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            try:
                module = importlib.import_module(node.module)
            except ImportError:
                continue
            for alias in node.names:
                names[alias.asname or alias.name] = getattr(module, alias.name, None)
    return names


def _why_function(func: Callable, seen: dict) -> str | None:
    """Why ``func`` waits, following the functions of the tests folder it calls by name."""
    hypothesis = getattr(func, "hypothesis", None)  # @given wraps the test in its own function
    func = inspect.unwrap(getattr(hypothesis, "inner_test", func))
    code = getattr(func, "__code__", None)
    if code is None or not _in_tests(func):
        return None
    if code in seen:
        return seen[code]
    seen[code] = None  # a recursive helper is looked at once
    tree = _tree(func)
    if tree is None:
        return None
    scope = {**getattr(func, "__globals__", {}), **_local_imports(tree)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _call_name(node)
        reason = WAITING_METHODS.get((owner, name)) or WAITING_CALLS.get(name)
        if reason:
            seen[code] = f"{func.__name__} {reason} ({owner + '.' if owner else ''}{name})"
            return seen[code]
        callee = scope.get(name) if owner is None else None
        if inspect.isfunction(callee):
            inner = _why_function(callee, seen)
            if inner:
                seen[code] = f"{func.__name__} → {inner}"
                return seen[code]
    return None


def why_it_waits(item: object, seen: dict | None = None) -> str | None:
    """Why a collected pytest item waits on something outside its thread, or ``None``."""
    seen = {} if seen is None else seen
    function = getattr(item, "function", None)
    if function is not None:
        reason = _why_function(function, seen)
        if reason:
            return reason
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info else ()):
        for fixture in defs:
            reason = _why_function(fixture.func, seen)
            if reason:
                return f"fixture {reason}"
    return None
