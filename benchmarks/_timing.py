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

    ``clock`` may be ``time.process_time`` (CPU seconds of this process): on a machine
    shared with other jobs it counts only the work done, not the time spent waiting for
    a core, which makes single-threaded CPU comparisons far steadier.
    """
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = clock()
            fn()
            samples[name].append(clock() - start)
    return {name: statistics.median(times) for name, times in samples.items()}
