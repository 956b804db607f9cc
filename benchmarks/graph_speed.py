"""How fast the architecture document is on the biggest preset, Llama3_1_405B.

Targets (issue 3): ``validate`` + ``stats`` under 50 ms, ``build`` on the meta device
under 1 s, ``to_python`` + ``from_python`` under 100 ms. As a baseline, the same run times
constructing the model directly in PyTorch (``Llama3_1_405B()`` under ``torch.device("meta")``),
which is what ``build`` has to do anyway.

Run: ``python benchmarks/graph_speed.py`` (prints one line per figure; median of N runs).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import torch

from olm.graph import build, from_module, from_python, stats, to_python, validate
from olm.graph.meta import clear_cache
from olm.models import Llama3_1_405B

TARGETS_MS = {"validate+stats": 50.0, "build(meta)": 1000.0, "to_python+from_python": 100.0}


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(repeats: int = 5, baseline: bool = True) -> dict[str, float]:
    """The figures, in milliseconds (``validate+stats`` measured with a cold leaf cache).

    Args:
        repeats (int): runs per figure (the median is reported).
        baseline (bool): also time direct construction and ``from_module``.
    """
    with torch.device("meta"):
        model = Llama3_1_405B()
    graph = from_module(model)

    def validate_and_stats() -> None:
        clear_cache()
        validate(graph)
        stats(graph)

    def print_and_parse() -> None:
        from_python(to_python(graph))

    def direct() -> None:
        with torch.device("meta"):
            Llama3_1_405B()

    figures = {
        "validate+stats": median_ms(validate_and_stats, repeats),
        "build(meta)": median_ms(lambda: build(graph, device="meta"), repeats),
        "to_python+from_python": median_ms(print_and_parse, repeats),
    }
    if baseline:
        figures["baseline: Llama3_1_405B() on meta"] = median_ms(direct, repeats)
        figures["from_module"] = median_ms(lambda: from_module(model), repeats)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for name, ms in measure(args.repeats).items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"  (target < {target:g} ms: {'ok' if ms < target else 'MISSED'})"
        print(f"{name:<36} {ms:9.1f} ms{verdict}")


if __name__ == "__main__":
    main()
