"""What the checkpoint manifest costs: ``checkpoint.save``/``load`` against bare safetensors.

The manifest hashes every file on save and on load (sha256), and ``load`` also checks the
weights are finite. The baseline is what a checkpoint did before: ``save_model`` into a
folder and ``load_model`` back into the same architecture. Reported as ratios of medians
(timed in alternation, see ``_timing.py``), so a noisy machine still gives a fair figure.

Run: ``python benchmarks/checkpoint_io.py [--dim 512 --layers 8]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_model, save_model

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians  # noqa: E402

from olm.models import Llama3Model  # noqa: E402
from olm.store.checkpoint import load, save  # noqa: E402


def measure(dim: int, layers: int, repeats: int) -> dict[str, float]:
    """Ratios ``olm / bare safetensors`` for saving and loading one checkpoint."""
    model = Llama3Model(4096, dim, dim * 3, layers, 8, 2, 256)
    root = Path(tempfile.mkdtemp(prefix="olm-bench-"))
    try:
        save(root / "olm", model)
        (root / "bare").mkdir()
        save_model(model, str(root / "bare" / "model.safetensors"))
        fresh = Llama3Model(4096, dim, dim * 3, layers, 8, 2, 256)
        times = interleaved_medians({
            "save": lambda: save(root / "olm", model),
            "save_bare": lambda: save_model(model, str(root / "bare" / "model.safetensors")),
            "load": lambda: load(root / "olm"),
            "load_bare": lambda: (Llama3Model(4096, dim, dim * 3, layers, 8, 2, 256),
                                  load_model(fresh, str(root / "bare" / "model.safetensors"))),
        }, repeats=repeats, warmup=1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    params = sum(p.numel() for p in model.parameters())
    return {"params": params, "save_ratio": times["save"] / times["save_bare"],
            "load_ratio": times["load"] / times["load_bare"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    fig = measure(args.dim, args.layers, args.repeats)
    print(f"checkpoint_io ({fig['params']:,} parameters): save x{fig['save_ratio']:.2f}, "
          f"load x{fig['load_ratio']:.2f} of bare safetensors")


if __name__ == "__main__":
    main()
