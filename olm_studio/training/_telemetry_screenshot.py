"""Make ``docs/images/telemetry.png``: a Llama-style run painted with its telemetry.

A small Llama-3-style model (width 64, 4 layers) trains on the built-in corpus with the
byte tokenizer and ``telemetry`` every 10 steps, its events written as ``olm train
--events`` writes them; then the Telemetry view paints the run on its own graph.

Run: ``xvfb-run -a sh -c 'openbox & python -m olm_studio.training._telemetry_screenshot
[OUT.png]'`` (or with ``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

__all__ = ["main"]


def train_run(folder: Path, steps: int = 150) -> None:
    """Train the model into ``folder`` (its ``model.olm.json`` and ``events.jsonl``)."""
    import torch

    from olm.graph import from_module, save
    from olm.models import Llama3Model
    from olm.store import layout
    from olm.train import TrainConfig, train_iter
    from olm.train.events import EventWriter

    with torch.device("meta"):
        model = Llama3Model(vocab_size=256, embed_dim=64, intermediate_size=168, num_layers=4,
                            num_heads=4, num_kv_heads=2, max_seq_len=256)
    folder.mkdir(parents=True, exist_ok=True)
    save(from_module(model, name="Llama 3 style"), folder / layout.MODEL_DOCUMENT)
    config = TrainConfig(source=str(folder / layout.MODEL_DOCUMENT), steps=steps,
                         batch_size=8, seq_len=64, lr=3e-3, eval_every=0, eval_batches=1,
                         telemetry=10, max_corpus_bytes=400_000)
    with EventWriter(folder / layout.EVENTS) as writer:
        for event in train_iter(config):
            writer.write(event)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/images/telemetry.png")
    app = QApplication.instance() or QApplication([])
    from olm_studio.training.telemetry_view import TelemetryView

    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "llama-run"
        train_run(run)
        view = TelemetryView()
        view.resize(1500, 1000)
        view.show()
        view.load_run(run, "Llama 3 style, 150 steps")
        view.set_metric("update_ratio")
        view.set_step(80)
        app.processEvents()
        view.canvas.fitInView(view.scene.itemsBoundingRect().adjusted(-10, -10, 10, 10))
        app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        view.grab().save(str(out))
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
