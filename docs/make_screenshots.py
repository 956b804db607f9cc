"""Screenshots of each workspace and main tab at 1280x800 and 1600x1000 (docs/images/).

    xvfb-run -a -s "-screen 0 1920x1200x24" bash -c 'openbox & sleep 1; python docs/make_screenshots.py'

Two small runs (a GPT-2-style and a Llama-3-style model of the same project, width 64, on
the built-in corpus, telemetry every 10 steps) are trained through the Train panel first,
as a user would (a few minutes on a laptop); ``--reuse RUNS`` retakes the pictures from
runs trained earlier (the folder is printed). Design is shot on each bottom tab, Train on
each of its tabs, the telemetry of one run and of two side by side, in the dark theme; the
Code tab and the Train workspace again in the light one. Under a window manager the window's frame is
checked too: the script fails if the window grew wider than asked (issue 27).

Writes ``screen-<workspace>-<tab>-<W>x<H>.png``, and the README's and guide's pictures
(``readme-train-*.png``, ``telemetry.png``, ``guide-train.png``).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
SIZES = ((1280, 800), (1600, 1000))
PROJECT = "Modernised GPT-2"  # both runs belong to one (unsaved) project


def _settle(ms: int = 300) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _train(window, runs: Path | None) -> list[str]:  # noqa: ANN001
    """Two runs through the window's Train panel (or the finished ones in ``runs``)."""
    import olm.graph
    from olm.models import GPT2Model, Llama3Model
    from olm_studio.training.trial import default_config

    panel = window.train
    window.set_workspace("train")
    if runs is None:
        config = dataclasses.replace(default_config(), batch_size=8, seq_len=128, lr=3e-3,
                                     steps=200, device="cpu", eval_every=25, sample_every=100,
                                     checkpoint_every=200, telemetry=10)
        models = (GPT2Model(vocab_size=256, embed_dim=64, num_layers=2, num_heads=4,
                            max_seq_len=256, dropout=0.0),
                  Llama3Model(vocab_size=256, embed_dim=64, intermediate_size=168,
                              num_layers=2, num_heads=4, num_kv_heads=2, max_seq_len=256))
        from PySide6.QtCore import QEventLoop

        for module in models:
            panel.set_graph(olm.graph.from_module(module, name=PROJECT))
            panel.form.set_config(config)
            loop = QEventLoop()
            panel.run_ended.connect(loop.quit)
            if not panel.start_training():
                raise SystemExit(f"not started: {panel.problem_label.text()}")
            loop.exec()
            panel.run_ended.disconnect(loop.quit)
    else:
        graph = olm.graph.from_module(GPT2Model(vocab_size=256, embed_dim=64, num_layers=2,
                                                num_heads=4, max_seq_len=256), name=PROJECT)
        panel.set_graph(graph)
    ids = [r.id for r in panel.runs() if r.status == "finished"][-2:]
    if len(ids) < 2:
        raise SystemExit(f"need two finished runs, found {len(ids)} in {panel.runs_root()}")
    panel.set_ticked(ids)
    panel.runs_list.select(ids[-1])
    window.controller.set_document(panel.run(ids[-1]).graph())
    return ids


def _frame_ok(window, width: int) -> str:  # noqa: ANN001
    """"" when the window (and its frame, under a window manager) is as wide as asked."""
    frame = window.frameGeometry().width()
    inner = window.width()
    if inner > width:
        return f"the window grew to {inner} px (asked {width})"
    return "" if frame <= width + 40 else f"the frame grew to {frame} px (asked {width})"


def _shoot(window, name: str, width: int, height: int, problems: list[str]) -> Path:  # noqa: ANN001
    _settle()
    path = IMAGES / f"screen-{name}-{width}x{height}.png"
    window.grab().save(str(path))
    why = _frame_ok(window, width)
    if why:
        problems.append(f"{name} at {width}x{height}: {why}")
    print(f"wrote {path}")
    return path


def _all(window, width: int, height: int, theme: str, problems: list[str]) -> None:  # noqa: ANN001
    window.resize(width, height)
    _settle()
    suffix = "" if theme == "dark" else "-light"
    window.set_workspace("design")
    for title in ("Diagnostics", "Code", "Summary") if theme == "dark" else ("Code",):
        window.show_tab(title)
        _settle()
        window.commands.run("fit")
        _shoot(window, f"design-{title.lower()}{suffix}", width, height, problems)
    window.set_workspace("train")
    panel = window.train
    panel.views.setCurrentWidget(panel.plots)
    for i in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(i)
        _shoot(window, f"train-{panel.tabs.tabText(i).lower()}{suffix}", width, height,
               problems)
    panel.tabs.setCurrentIndex(0)
    panel.views.setCurrentWidget(panel.telemetry)
    panel.telemetry.show_run(panel.run(panel.runs_list.current_id()), True)
    panel.telemetry_view.set_metric("update_ratio")
    _shoot(window, f"train-telemetry{suffix}", width, height, problems)
    if theme == "dark":
        panel.paint_side_by_side()
        _shoot(window, "train-telemetry-two", width, height, problems)
        panel.telemetry.single_button.click()
        panel.views.setCurrentWidget(panel.plots)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    runs = Path(args[args.index("--reuse") + 1]) if "--reuse" in args else None
    home = Path(tempfile.mkdtemp(prefix="olm-screens-"))
    os.environ["OLM_STUDIO_HOME"] = str(home / "settings")
    os.environ["OLM_RUNS_DIR"] = str(runs or home / "runs")
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings
    from olm_studio.theme import apply_theme
    from olm_studio.torch_loader import torch_loader

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, "dark")
    window = MainWindow(settings=StudioSettings(), screenshot_mode=True)
    window.open_initial("GPT2")
    window.resize(*SIZES[0])
    window.show()
    torch_loader().wait()
    _settle()
    IMAGES.mkdir(exist_ok=True)
    _train(window, runs)
    print(f"runs in {window.train.runs_root()} (--reuse it to retake the pictures)")
    problems: list[str] = []
    for width, height in SIZES:
        _all(window, width, height, "dark", problems)
    window.set_theme("light")
    for width, height in SIZES:
        _all(window, width, height, "light", problems)
    window.set_theme("dark")
    for width, height in SIZES:  # the README's and the guide's pictures
        shutil.copy(IMAGES / f"screen-train-runs-{width}x{height}.png",
                    IMAGES / f"readme-train-{width}x{height}.png")
    shutil.copy(IMAGES / "screen-train-telemetry-1600x1000.png", IMAGES / "telemetry.png")
    shutil.copy(IMAGES / "screen-train-runs-1280x800.png", IMAGES / "guide-train.png")
    window.discard_session()
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
