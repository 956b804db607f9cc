"""Run under ``torch.distributed.run``: ``olm train`` on each rank, then save its weights.

The worker calls the real command-line entry point; it only wraps ``TrainRun`` to keep
a handle on the trained model, so the test can compare the ranks' final weights.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from safetensors.torch import save_file

import olm.train.run
from olm.cli.main import main

RUNS: list = []


class KeptRun(olm.train.run.TrainRun):
    def __init__(self, config, **kw) -> None:
        super().__init__(config, **kw)
        RUNS.append(self)


def run(source: str, corpus: str, out: str) -> int:
    olm.train.run.TrainRun = KeptRun
    code = main(["train", source, "--data", corpus, "--steps", "4", "--batch-size", "2",
                 "--seq-len", "16", "--eval-every", "2", "--eval-batches", "1",
                 "--checkpoint-every", "2", "--device", "cpu", "--threads", "1", "--lr", "3e-3",
                 "--out", out, "--events", str(Path(out) / "events.jsonl")])
    weights = {k: v.contiguous() for k, v in RUNS[0].model.state_dict().items()}
    save_file(weights, str(Path(out) / f"rank{os.environ['RANK']}.safetensors"))
    return code


if __name__ == "__main__":
    sys.exit(run(*sys.argv[1:4]))
