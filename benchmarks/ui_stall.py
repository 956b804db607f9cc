"""The longest event-loop stall of each long action in OLM Studio (target: none over 100 ms).

Drives the Studio headless (``QT_QPA_PLATFORM=offscreen``) through the actions people
reported freezing the window, and measures each with the heartbeat of
:class:`olm_studio.stall_meter.StallMeter` (a 10 ms timer; the longest gap between two
ticks is the stall): open the DeepSeek-V3 preset, click one of its nodes (the inspector
fills), expand its layers and click the attention, Measure Loss Before/After on a
pretrained model, File → Open pretrained on a Hugging Face folder and on a GGUF file (both
written by this script into a temporary folder), export the edited model as a Hugging
Face folder, switch workspaces, and press Train (the run is stopped at once). Background actions are measured until their result
is shown. As in the app, PyTorch is loaded before the window is used.

Usage: ``python benchmarks/ui_stall.py [--hidden 256] [--layers 4]`` (the pretrained
model's size); prints a table and exits 1 when a stall exceeds the target.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OLM_STUDIO_HOME", tempfile.mkdtemp(prefix="olm-studio-stall-"))
os.environ.setdefault("OLM_RUNS_DIR", tempfile.mkdtemp(prefix="olm-studio-stall-runs-"))

import olm_studio  # noqa: E402,F401  (applies the PySide6 workaround before Qt is used)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))  # the tests' tiny chat tokenizer


def write_pretrained(folder: Path, hidden: int, layers: int) -> tuple[Path, Path]:
    """A Llama-shaped chat model as a Hugging Face folder and as a GGUF file."""
    import torch
    import transformers as T
    from chat_tiny import make_tokenizer
    from gguf_tiny import write_gguf

    tok = make_tokenizer()
    ids = {k: tok.convert_tokens_to_ids(v) for k, v in (
        ("bos_token_id", "<|begin_of_text|>"), ("eos_token_id", "<|end_of_text|>"),
        ("pad_token_id", "<|pad|>"))}
    config = T.LlamaConfig(vocab_size=len(tok), hidden_size=hidden,
                           intermediate_size=hidden * 3, num_hidden_layers=layers,
                           num_attention_heads=max(2, hidden // 64),
                           num_key_value_heads=max(2, hidden // 64),
                           max_position_embeddings=128, tie_word_embeddings=False, **ids)
    torch.manual_seed(0)
    model = T.LlamaForCausalLM(config).eval()
    hf = folder / "hf"
    model.save_pretrained(hf)
    tok.save_pretrained(hf)
    gguf_path = folder / "model.gguf"
    write_gguf(model, tok, gguf_path)
    return hf, gguf_path


def _node(window, type_key: str) -> str:
    graph = window.controller.graph
    return next(i for i in graph.walk() if graph.nodes[i].type == type_key)


def _click(window, node_id: str) -> None:
    """A mouse click (press and release events) on the node's item, where it is drawn."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    view = window.canvas.view
    item = window.canvas.scene.primary(node_id)
    if item is None:
        raise RuntimeError(f"{window.controller.graph.nodes[node_id].type} is not drawn")
    view.centerOn(item)
    at = QPointF(view.mapFromScene(item.sceneBoundingRect().center()))
    viewport = view.viewport()
    glob = QPointF(viewport.mapToGlobal(at.toPoint()))
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for kind, buttons in ((QEvent.Type.MouseButtonPress, left),
                          (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton)):
        QApplication.sendEvent(viewport, QMouseEvent(kind, at, glob, left, buttons, none))


def _idle(window) -> bool:
    task = window.pretrained.task
    return task is None or not task.running


def run(hidden: int, layers: int) -> list[tuple[str, float, float]]:
    """Each action's (name, longest stall ms, wall seconds)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from PySide6.QtWidgets import QMessageBox

    from olm_studio.checker.client import check_process
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings
    from olm_studio.stall_meter import StallMeter
    from olm_studio.torch_loader import torch_loader

    # "Save your changes?" when opening another model: no (a benchmark has no one to ask)
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    work = Path(tempfile.mkdtemp(prefix="olm-stall-"))
    hf, gguf_path = write_pretrained(work, hidden, layers)
    w = MainWindow(settings=StudioSettings(os.environ["OLM_STUDIO_HOME"]))
    w.resize(1600, 1000)
    w.show()
    loader = torch_loader()
    loader.start()  # as the app does once the window is up
    loader.wait()
    check_process().start()  # as the app does once PyTorch is loaded
    app.processEvents()
    meter = StallMeter(10)
    rows: list[tuple[str, float, float]] = []

    def measure(name: str, action, until=None) -> None:
        start = time.perf_counter()
        stall = meter.measure(action, until)
        rows.append((name, stall, time.perf_counter() - start))
        print(f"  {name}: {stall:.0f} ms", file=sys.stderr, flush=True)

    measure("open DeepSeek-V3 preset", lambda: w.files.open_preset("DeepSeekV3"))
    measure("click a node (Embedding)", lambda: _click(w, _node(w, "Embedding")))
    graph = w.controller.graph
    repeats = [i for i in graph.walk() if graph.nodes[i].type == "Repeat"
               and graph.layout.get(i, {}).get("collapsed")]
    measure("expand the layers", lambda: [w.canvas.toggle_collapsed(r) for r in repeats])
    measure("click MLA attention", lambda: _click(w, _node(w, "MultiHeadLatentAttention")))
    measure("click DeepSeek MoE", lambda: _click(w, _node(w, "DeepSeekMoEFFN")))
    measure("edit num_heads in inspector",
            lambda: w.inspector.spin_for("num_heads") is not None
            and w.canvas.edits.set_param(_node(w, "MultiHeadLatentAttention"), "num_heads", 64))
    measure("switch to Train workspace", lambda: w.set_workspace("train"))
    deadline = time.perf_counter() + 120
    while w.train.checks.pending and time.perf_counter() < deadline:  # Train waits for it
        app.processEvents()
        time.sleep(0.01)
    measure("press Train (a trial run)", lambda: w.train.start_training(), w.train.is_running)
    w.train.stop_and_wait(60)
    measure("switch to Design workspace", lambda: w.set_workspace("design"))
    measure("open pretrained HF folder", lambda: w.pretrained.open(hf), lambda: _idle(w))
    attn = _node(w, "GroupedQueryAttention")
    w.canvas.edits.set_param(attn, "num_kv_heads", 1)
    measure("Measure Loss before/after", lambda: w.pretrained.measure_loss(), lambda: _idle(w))
    measure("export HF folder", lambda: w.pretrained.export_hf(work / "export"),
            lambda: _idle(w))
    measure("open pretrained GGUF", lambda: w.pretrained.open(gguf_path), lambda: _idle(w))
    for box in w.findChildren(type(w.pretrained.result_box)) if w.pretrained.result_box else []:
        box.close()
    w.files.stop_autosave(remove=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=256, help="pretrained model width")
    parser.add_argument("--layers", type=int, default=4, help="pretrained model layers")
    args = parser.parse_args()
    from olm_studio.stall_meter import TARGET_MS

    rows = run(args.hidden, args.layers)
    print(f"{'action':34} {'longest stall':>14} {'wall':>8}")
    for name, stall, wall in rows:
        flag = "" if stall <= TARGET_MS else "  over target"
        print(f"{name:34} {stall:11.0f} ms {wall:7.2f} s{flag}")
    worst = max(stall for _n, stall, _w in rows)
    print(f"longest stall: {worst:.0f} ms (target: {TARGET_MS:.0f} ms, cores: {os.cpu_count()})")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
