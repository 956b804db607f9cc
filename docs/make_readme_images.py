"""Retake the README's screenshots (docs/images/readme-*.png) at 1280x800 and 1600x1000.

    xvfb-run -a -s "-screen 0 1600x1000x24" sh -c 'openbox & python docs/make_readme_images.py'

Design (GPT-2), the "Modernise GPT-2" lesson two steps in, and the Train workspace with a
GPT-2-style and a Llama-3-style run trained for real on the built-in corpus (through the
Train panel, as a user would; about two minutes on a laptop). Uses private settings and
runs folders, so nothing of the user's shows. With ``--reuse RUNS`` it only retakes the
pictures from runs trained earlier.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
SIZES = ((1280, 800), (1600, 1000))


def _settle(app, ms: int = 400) -> None:  # noqa: ANN001
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _shoot(app, window, name: str) -> None:  # noqa: ANN001
    for width, height in SIZES:
        window.resize(width, height)
        _settle(app)
        window.commands.run("fit")
        _settle(app, 200)
        path = IMAGES / f"readme-{name}-{width}x{height}.png"
        window.grab().save(str(path))
        print(f"wrote {path}")


def _train(app, window, runs: Path | None) -> None:  # noqa: ANN001
    """Two real runs through the window's Train panel (or the ones in ``runs``)."""
    import olm.graph
    from olm.models import GPT2Model, Llama3Model
    from olm_studio.training.trial import default_config

    panel = window.train
    if runs is None:
        config = dataclasses.replace(default_config(), batch_size=8, seq_len=128, lr=3e-3,
                                     steps=300, device="cpu", eval_every=25, sample_every=100,
                                     checkpoint_every=300)
        models = [
            ("GPT2", GPT2Model(vocab_size=256, embed_dim=64, num_layers=2, num_heads=4,
                               max_seq_len=256, dropout=0.0)),
            ("Llama3", Llama3Model(vocab_size=256, embed_dim=64, intermediate_size=168,
                                   num_layers=2, num_heads=4, num_kv_heads=2, max_seq_len=256)),
        ]
        from PySide6.QtCore import QEventLoop

        for name, module in models:
            panel.set_graph(olm.graph.from_module(module, name=name))
            panel.form.set_config(config)
            loop = QEventLoop()
            panel.run_ended.connect(loop.quit)
            if not panel.start_training():
                raise SystemExit(f"{name}: not started: {panel.problem_label.text()}")
            loop.exec()
            panel.run_ended.disconnect(loop.quit)
    ids = [r.id for r in panel.runs() if r.status == "finished"][-2:]
    panel.set_ticked(ids)
    panel.runs_list.select(ids[-1])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    runs = Path(args[args.index("--reuse") + 1]) if "--reuse" in args else None
    home = Path(tempfile.mkdtemp(prefix="olm-readme-"))
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
    window.open_initial(None)
    window.show()
    torch_loader().wait()
    _settle(app)
    _shoot(app, window, "design")
    window.start_lesson()
    window.lesson.show_step()
    window.lesson.show_step()
    _shoot(app, window, "lesson")
    _train(app, window, runs)
    window.set_workspace("train")
    _shoot(app, window, "train")
    window.discard_session()
    return 0


if __name__ == "__main__":
    sys.exit(main())
