"""``summary``: the ``torchinfo`` table of the built model for a small input.

The model is built on the ``meta`` device, so even ``Llama3_1_405B`` costs no memory; a
model whose forward cannot run on meta tensors (mixture-of-experts routing depends on
values) is built for real when it is small, and otherwise summarised without a forward.
"""

from __future__ import annotations

import torch
import torchinfo

from olm.graph.document import Graph
from olm.graph.stats import stats
from olm.graph.to_module import build

__all__ = ["summary"]

_REAL_BUILD_LIMIT = 20_000_000


def summary(graph: Graph, seq_len: int = 16, batch_size: int = 1, depth: int = 10) -> torchinfo.ModelStatistics:
    """The ``torchinfo`` summary of ``build(graph)`` on ``[batch_size, seq_len]`` token ids.

    Args:
        graph (Graph): a valid document.
        seq_len (int): tokens per sequence of the example input. Default: 16.
        batch_size (int): sequences in the example input. Default: 1.
        depth (int): how deep the table goes (ModuleLists count as a level). Default: 10.

    Returns:
        torchinfo.ModelStatistics: ``str()`` of it is the table.
    """
    model = build(graph, device="meta")
    ids = torch.zeros(batch_size, seq_len, dtype=torch.long, device="meta")
    try:
        return torchinfo.summary(model, input_data=[ids], depth=depth, verbose=0, device="meta")
    except Exception:  # noqa: BLE001 - value-dependent forward (MoE routing) on meta
        pass
    if stats(graph).total_params <= _REAL_BUILD_LIMIT:
        model = build(graph, device="cpu")
        ids = torch.zeros(batch_size, seq_len, dtype=torch.long)
        with torch.no_grad():
            return torchinfo.summary(model, input_data=[ids], depth=depth, verbose=0, device="cpu")
    return torchinfo.summary(model, depth=depth, verbose=0, device="meta")
