"""Timing helpers shared by the benchmarks: interleaved runs, medians, ratios.

These machines are noisy, so every benchmark times its candidates in alternation within
one process and reports ratios of medians rather than absolute seconds.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable


def interleaved_medians(
    candidates: dict[str, Callable[[], object]],
    repeats: int = 15,
    warmup: int = 3,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Median seconds per call of each candidate, timed round-robin to share the noise.

    The round-robin order alternates direction each round, so no candidate always runs
    first.

    ``clock`` may be ``time.process_time`` (CPU seconds of this process): on a machine
    shared with other jobs it counts only the work done, not the time spent waiting for
    a core, which makes single-threaded CPU comparisons far steadier.
    """
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    order = list(candidates.items())
    for i in range(repeats):
        # Reverse the order every other round (ABBA...): whoever runs right after another
        # candidate inherits its cache and allocator state, so no one always goes first.
        for name, fn in order if i % 2 == 0 else order[::-1]:
            start = clock()
            fn()
            samples[name].append(clock() - start)
    return {name: statistics.median(times) for name, times in samples.items()}
