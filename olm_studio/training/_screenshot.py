"""Make a picture of the Train panel (``docs/images/train-panel.png``): two real runs from the Train panel, overlaid.

A tiny GPT-2-style model and a tiny Llama-3-style model of about the same size train on
the built-in corpus with the byte tokenizer, one after the other, through the panel
itself (real `olm train` children). Then both runs are ticked, so the plots overlay their
curves and the compare box lists what differs between the two architectures.

Run: ``QT_QPA_PLATFORM=offscreen python -m olm_studio.training._screenshot [OUT.png [RUNS]]``
(with RUNS, a folder of runs trained earlier, it only takes the picture again).
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from olm_studio.training.panel import TrainPanel
from olm_studio.training.trial import default_config

__all__ = ["main"]

WIDTH = 64  # both models: width 64, 2 layers, 4 heads, byte vocabulary


def _models() -> list[tuple[str, object]]:
    from olm.models import GPT2Model, Llama3Model

    gpt2 = GPT2Model(vocab_size=256, embed_dim=WIDTH, num_layers=2, num_heads=4,
                     max_seq_len=256, dropout=0.0)
    llama = Llama3Model(vocab_size=256, embed_dim=WIDTH, intermediate_size=168, num_layers=2,
                        num_heads=4, num_kv_heads=2, max_seq_len=256)
    return [("GPT-2 style", gpt2), ("Llama 3 style", llama)]


def _wait_for_end(panel: TrainPanel) -> tuple[str, str, str]:
    loop = QEventLoop()
    result: list[tuple[str, str, str]] = []
    panel.run_ended.connect(lambda *args: (result.append(args), loop.quit()))
    loop.exec()
    return result[0]


def main(argv: list[str] | None = None) -> int:
    """``[OUT.png [RUNS_DIR]]``: train two runs (or reuse RUNS_DIR's) and save the picture."""
    from olm_studio.theme import apply_theme

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/images/train-panel.png")
    reuse = Path(args[1]) if len(args) > 1 else None
    app = QApplication.instance() or QApplication([])
    apply_theme(app, "dark")
    panel = TrainPanel(runs_root=reuse or Path(tempfile.mkdtemp(prefix="olm-screenshot-")))
    panel.resize(1600, 620)
    panel.show()
    if reuse is not None:  # runs trained earlier: only take the picture again
        return _grab(app, panel, [r.id for r in panel.runs() if r.status == "finished"][-2:], out)
    ids = _train_both(panel)
    return 1 if ids is None else _grab(app, panel, ids, out)


def _train_both(panel: TrainPanel) -> list[str] | None:
    import olm.graph

    config = dataclasses.replace(default_config(), batch_size=8, seq_len=128, lr=3e-3,
                                 steps=400, device="cpu", eval_every=25, sample_every=100,
                                 checkpoint_every=400)
    ids = []
    for name, module in _models():
        panel.set_graph(olm.graph.from_module(module, name=name))
        panel.form.set_config(config)
        if not panel.start_training():
            print(f"{name}: not started: {panel.problem_label.text()}", file=sys.stderr)
            return None
        run_id, status, reason = _wait_for_end(panel)
        print(f"{name}: {status} {reason}".rstrip())
        if status != "finished":
            return None
        ids.append(run_id)
    return ids


def _grab(app: QApplication, panel: TrainPanel, ids: list[str], out: Path) -> int:
    last = panel.run(ids[-1])
    panel.set_graph(last.graph())
    panel.form.set_config(last.config)
    panel.run_checks()
    panel.set_ticked(ids)
    panel.runs_list.select(ids[-1])
    panel.tabs.setCurrentIndex(0)
    QTimer.singleShot(300, app.quit)
    app.exec()
    out.parent.mkdir(parents=True, exist_ok=True)
    panel.grab().save(str(out))
    for run_id in ids:
        history = panel.history(run_id)
        print(f"{panel.run(run_id).name}: final train {history.loss_smooth.last():.3f}, "
              f"val {history.val_loss.last():.3f}, {history.elapsed:.0f} s")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
