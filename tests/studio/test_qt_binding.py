"""The installed Qt binding must not leak references (PySide6 6.12.0 did, and crashed)."""

import sys

from PySide6.QtCore import QObject, Signal

from olm_studio._compat import check_qt_binding


class _Emitter(QObject):
    fired = Signal(object)


def test_the_binding_is_not_a_known_broken_release():
    check_qt_binding()


def test_many_emits_leave_singleton_refcounts_alone(qtbot):
    emitter = _Emitter()
    seen = []
    emitter.fired.connect(lambda event: seen.append(event["step"]))
    before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(5_000):
        emitter.fired.emit({"step": i, "ok": True, "none": None})
    assert len(seen) == 5_000 and seen[-1] == 4_999
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert abs(after[0] - before[0]) < 100 and abs(after[1] - before[1]) < 100
