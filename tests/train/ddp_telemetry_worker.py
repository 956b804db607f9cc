"""One rank of the DDP telemetry test: a step on its own batch, rank 0 writes the nodes."""

import json
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from olm.graph import build, load
from olm.train.step import TrainStep
from olm.train.telemetry import Telemetry


def main(graph_path: str, out: str) -> None:
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    graph = load(graph_path)
    torch.manual_seed(0)
    model = build(graph)
    tel = Telemetry(model, graph, every=1)
    step = TrainStep(DistributedDataParallel(model), torch.optim.SGD(model.parameters(), lr=0.1))
    step.inspect = tel.inspect
    x = torch.randint(0, 96, (2, 16), generator=torch.Generator().manual_seed(10 + rank))
    tel.arm()
    step([(x, x)])
    nodes = tel.finish()
    if rank == 0:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(nodes, handle)
    # Both ranks leave together: a rank that exits while its peer still reads the last
    # collective's bytes resets the connection and gloo aborts the peer.
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
