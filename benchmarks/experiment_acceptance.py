"""The acceptance figures of ``olm compare`` and ``olm sweep`` on this machine.

Runs, as a user would type them:

* ``olm compare GPT2 Llama3_2_1B --seeds 2 --budget 3m --json out.json``: goal, the wall
  time within the budget plus 20% and the two models' compute (as trained) within 5%;
* ``olm sweep GPT2 --sizes 3 --budget 4m --json sweep.json``: goal, within budget plus 20%,
  points of increasing compute and a positive fitted exponent;
* with ``--lesson``, ``olm compare --lesson --budget 10m``: the table printed.

    python benchmarks/experiment_acceptance.py [--lesson] [--skip-sweep]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _olm(argv: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "olm", *argv], capture_output=True, text=True)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", action="store_true", help="also the 10-minute lesson table")
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="olm-acceptance-"))
    ok = True
    seconds, done = _olm(["compare", "GPT2", "Llama3_2_1B", "--seeds", "2", "--budget", "3m",
                          "--json", str(work / "out.json"), "--out", str(work / "compare")])
    data = json.loads((work / "out.json").read_text()) if done.returncode == 0 else None
    flops = [m["flops"] for m in data["models"]] if data else [1.0, 0.0]
    spread = max(flops) / max(min(flops), 1e-9) - 1
    passed = done.returncode == 0 and seconds <= 180 * 1.2 and spread <= 0.05
    ok &= passed
    print(f"compare: {seconds:.0f} s for a 180 s budget ({seconds / 180:.2f}x, goal <= 1.2x), "
          f"compute {spread:.2%} apart (goal <= 5%): {'PASS' if passed else 'FAIL'}")
    if not args.skip_sweep:
        seconds, done = _olm(["sweep", "GPT2", "--sizes", "3", "--budget", "4m", "--json",
                              str(work / "sweep.json"), "--out", str(work / "sweep")])
        sweep = json.loads((work / "sweep.json").read_text()) if done.returncode == 0 else {}
        pts = [p["flops"] for p in sweep.get("points", [])]
        alpha = (sweep.get("fit") or {}).get("alpha", float("nan"))
        passed = (done.returncode == 0 and seconds <= 240 * 1.2 and len(pts) == 3
                  and pts == sorted(pts) and alpha > 0)
        ok &= passed
        print(f"sweep: {seconds:.0f} s for a 240 s budget ({seconds / 240:.2f}x), alpha "
              f"{alpha:.3f}, compute {', '.join(f'{p:.2g}' for p in pts)}: "
              f"{'PASS' if passed else 'FAIL'}")
    if args.lesson:
        seconds, done = _olm(["compare", "--lesson", "--budget", "10m", "--out",
                              str(work / "lesson")])
        passed = done.returncode == 0 and "change vs previous" in done.stdout
        ok &= passed
        print(done.stdout)
        print(f"lesson: {seconds:.0f} s for a 600 s budget: {'PASS' if passed else 'FAIL'}")
    print(f"runs in {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
