"""How fast OLM Studio shows its window, against ``python -c "import torch"`` alone.

Runs, interleaved in fresh interpreters (headless, ``QT_QPA_PLATFORM=offscreen``):

1. ``python -c "import torch"``: the floor any app that imports torch before its window
   can reach;
2. ``python -m olm_studio --screenshot out.png``: start, open the default model (GPT-2),
   lay the window out, render it to a PNG and exit;
3. ``python -m olm info GPT2``: the command-line report of the same preset.

It reports each median and the ratios to (1); the target is a screenshot ratio ≤ 1.0
(the window is up before torch alone would have loaded). Also checks, in the screenshot
run, that torch was never imported.

Usage: ``python benchmarks/startup.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Time the three start-ups round-robin and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="olm-startup-bench-")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OLM_STUDIO_HOME": home,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    shot = str(Path(home) / "shot.png")
    commands = {
        "import torch": [sys.executable, "-c", "import torch"],
        "olm-studio --screenshot": [sys.executable, "-m", "olm_studio", "--screenshot", shot],
        "olm info GPT2": [sys.executable, "-m", "olm", "info", "GPT2"],
    }
    for command in commands.values():  # warm the file cache once
        _timed(command, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            samples[name].append(_timed(command, env))
    check = subprocess.run(
        [sys.executable, "-c", "import sys; from olm_studio.app import main; "
         f"main(['--screenshot', {shot!r}]); print('torch' in sys.modules)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    medians = {name: statistics.median(times) for name, times in samples.items()}
    base = medians["import torch"]
    print(f"startup, median of {args.rounds} interleaved runs (fresh interpreters):")
    for name, seconds in medians.items():
        print(f"  {name:<26} {seconds:6.2f} s   ratio to import torch {seconds / base:5.2f}")
    print(f"  torch imported by the screenshot run: {check.stdout.strip().splitlines()[-1]}")
    ratio = medians["olm-studio --screenshot"] / base
    print(f"headline: olm-studio --screenshot / import torch = {ratio:.2f} (target <= 1.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
