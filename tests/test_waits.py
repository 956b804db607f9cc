"""No test depends on how fast the machine is: every wait is a generous bound, never a pace.

Read from the tests' source: each Qt wait is bounded by ``WAIT_MS`` and each child process
by ``CHILD_S`` (:mod:`waiting`); nothing pauses the event loop for a fixed time; a sleep
only paces a poll loop that ends on an event; no assertion reads a clock. And the finder
behind the ``process`` marker (:mod:`wait_finder`) sees waits through helpers and fixtures.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
from wait_finder import TESTS, _call_name, why_it_waits
from waiting import WAIT_MS

QT_WAITS = {"waitUntil", "waitSignal", "waitSignals", "waitCallback", "waitExposed",
            "waitActive"}
CHILD_WAITS = {("subprocess", "run"), ("subprocess", "check_output"),
               ("subprocess", "check_call")}
CLOCKS = {"perf_counter", "monotonic", "time", "perf_counter_ns", "monotonic_ns"}


def _sources() -> list[tuple[str, ast.AST]]:
    return [(str(p.relative_to(TESTS)), ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(TESTS.rglob("*.py"))]


SOURCES = _sources()


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _calls(tree: ast.AST):
    """Every ``owner.name(...)`` call: (call, owner or None, name)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node, *_call_name(node)


def _reads_a_clock(node: ast.AST) -> bool:
    return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
               and isinstance(c.func.value, ast.Name) and c.func.value.id == "time"
               and c.func.attr in CLOCKS for c in ast.walk(node))


def test_every_qt_wait_is_bounded_by_wait_ms():
    bad = [f"{path}:{call.lineno} {name}" for path, tree in SOURCES
           for call, _owner, name in _calls(tree)
           if name in QT_WAITS and "WAIT_MS" not in _names(_keyword(call, "timeout") or ast.Name(""))]
    assert not bad, f"give these timeout=WAIT_MS (from waiting import WAIT_MS): {bad}"


def test_nothing_pauses_the_event_loop_for_a_fixed_time():
    bad = [f"{path}:{call.lineno}" for path, tree in SOURCES
           for call, owner, name in _calls(tree) if (owner, name) == ("qtbot", "wait")]
    assert not bad, f"wait for the event itself (qtbot.waitUntil / waitSignal): {bad}"


def test_every_child_process_is_bounded_by_child_s():
    bad = []
    for path, tree in SOURCES:
        for call, owner, name in _calls(tree):
            bounded = (owner, name) in CHILD_WAITS or name in {"communicate", "wait"} \
                and _keyword(call, "timeout") is not None
            if bounded and "CHILD_S" not in _names(_keyword(call, "timeout") or ast.Name("")):
                bad.append(f"{path}:{call.lineno} {owner}.{name}")
            if name == "stop_and_wait" and "CHILD_S" not in _names(call):  # the Studio's stop
                bad.append(f"{path}:{call.lineno} {owner}.{name}")
    assert not bad, f"give these timeout=CHILD_S (from waiting import CHILD_S): {bad}"


def test_sleeps_only_pace_poll_loops_and_deadlines_use_child_s():
    bad = []
    for path, tree in SOURCES:
        in_loops = {id(n) for loop in ast.walk(tree) if isinstance(loop, ast.While)
                    for n in ast.walk(loop)}
        for call, owner, name in _calls(tree):
            if (owner, name) == ("time", "sleep") and id(call) not in in_loops:
                bad.append(f"{path}:{call.lineno} time.sleep outside a poll loop")
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp) and _reads_a_clock(node) and \
                    "CHILD_S" not in _names(node):
                bad.append(f"{path}:{node.lineno} a deadline not made of CHILD_S")
    assert not bad, bad


def test_no_assertion_reads_a_clock():
    # a deadline check (`assert time.monotonic() < deadline`) ends a hung poll: allowed
    bad = [f"{path}:{node.lineno}" for path, tree in SOURCES for node in ast.walk(tree)
           if isinstance(node, ast.Assert) and _reads_a_clock(node.test)
           and "deadline" not in _names(node.test)]
    assert not bad, f"timing belongs in benchmarks/, not in an assertion: {bad}"


# -- the finder behind the ``process`` marker ---------------------------------------------


def _waits_for_a_condition(qtbot):
    qtbot.waitUntil(lambda: True, timeout=WAIT_MS)


def _waits_through_a_helper(qtbot):
    _waits_for_a_condition(qtbot)


def _sleeps_in_a_nested_function():
    def poll():
        while False:
            time.sleep(0)

    return poll


def _computes_only(x):
    return sorted(x)


class _Item:
    """What the finder reads of a pytest item."""

    def __init__(self, function) -> None:
        self.function = function


@pytest.mark.parametrize("function, waits", [
    (_waits_for_a_condition, True),
    (_waits_through_a_helper, True),
    (_sleeps_in_a_nested_function, True),
    (_computes_only, False),
])
def test_the_finder_sees_waits_through_helpers_and_nested_functions(function, waits):
    assert bool(why_it_waits(_Item(function))) is waits


def test_every_collected_test_that_waits_carries_the_process_marker(request):
    # the root conftest marks at collection; nothing in this module waits (its helpers
    # above are only read), so none of its tests is marked
    seen: dict = {}
    wrong = [i.nodeid for i in request.session.items
             if bool(why_it_waits(i, seen)) != bool(i.get_closest_marker("process"))]
    assert not wrong
    here = [i for i in request.session.items if i.path == Path(__file__)]
    assert here and not any(i.get_closest_marker("process") for i in here)
