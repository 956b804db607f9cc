"""How long a test may wait for anything outside its own thread: a bound, never a pace.

A wait returns the moment what it waits for happens (a signal, a child's exit, a file), so
its bound only ends a test that would otherwise hang. The bounds are therefore set far above
what any healthy run needs on a 2-core CI machine with both cores busy: a slow machine makes
a test slower, never red. `tests/test_waits.py` checks that every wait in the tests uses
these names, and that every test that waits carries the ``process`` marker, so
`tests/repeat.sh 20 -m "process and not gpu"` reruns exactly those.
"""

WAIT_MS = 300_000
"""Qt waits (``qtbot.waitUntil``, ``waitSignal``, ``waitExposed``), in milliseconds."""

CHILD_S = 600
"""A child process (``subprocess.run``, ``Popen.wait``, ``communicate``), in seconds."""
