"""One rank of the release test: after ``olm.core.dist.all_reduce`` returns, gloo holds
nothing of the tensor (its reference count is back to Python's own), every time."""

import sys

import torch
import torch.distributed as dist

from olm.core.dist import all_reduce


def main(rounds: int) -> None:
    dist.init_process_group("gloo")
    still_held = 0
    for i in range(rounds):
        t = torch.full((64,), float(i))
        alone = t._use_count()
        all_reduce(t)
        still_held += t._use_count() != alone
        assert torch.equal(t, torch.full((64,), 2.0 * i))
    print(f"rank {dist.get_rank()}: still held after {still_held} of {rounds}")
    dist.barrier()
    dist.destroy_process_group()
    sys.exit(1 if still_held else 0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
