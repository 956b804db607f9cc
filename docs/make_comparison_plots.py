"""Make the README's comparison and scaling pictures from real runs.

    QT_QPA_PLATFORM=offscreen python docs/make_comparison_plots.py [--budget 3m] [--reuse DIR]

Runs ``olm compare GPT2 Llama3_2_1B --seeds 3`` and ``olm sweep GPT2 Llama3_2_1B
--sizes 3`` (each within the budget), then draws their JSON with the Studio's experiment
plots (pyqtgraph, offscreen) into ``docs/images/comparison.png`` and
``docs/images/scaling.png``. ``--reuse DIR`` redraws from a folder this script filled
earlier (``compare.json``, ``sweep.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"


def _run(argv: list[str]) -> None:
    print("$ olm " + " ".join(argv), flush=True)
    subprocess.run([sys.executable, "-m", "olm", *argv], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="3m", help="time for each of the two experiments")
    parser.add_argument("--reuse", default=None, metavar="DIR")
    parser.add_argument("--out", default=str(IMAGES), help="where the pictures go")
    args = parser.parse_args(argv)
    work = Path(args.reuse or tempfile.mkdtemp(prefix="olm-doc-plots-"))
    if args.reuse is None:
        _run(["compare", "GPT2", "Llama3_2_1B", "--seeds", "3", "--budget", args.budget,
              "--out", str(work / "compare"), "--json", str(work / "compare.json")])
        _run(["sweep", "GPT2", "Llama3_2_1B", "--sizes", "3", "--budget", args.budget,
              "--out", str(work / "sweep"), "--json", str(work / "sweep.json")])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from olm_studio.experiment.plots import ComparisonPlot, ScalingPlot

    app = QApplication.instance() or QApplication([])
    compare = json.loads((work / "compare.json").read_text(encoding="utf-8"))
    sweep = json.loads((work / "sweep.json").read_text(encoding="utf-8"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dots = ComparisonPlot()
    dots.resize(900, 520)
    dots.set_data(compare)
    scaling = ScalingPlot()
    scaling.resize(900, 520)
    sweeps = [sweep] + ([sweep["second"]] if sweep.get("second") else [])
    scaling.set_sweeps(sweeps, sweep.get("crossing"))
    for widget, name in ((dots, "comparison.png"), (scaling, "scaling.png")):
        widget.show()
        app.processEvents()
        widget.grab().save(str(out / name))
        print(f"wrote {out / name}")
    print(compare["verdict"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
