"""One matmul for q, k and v, with the three-projection API and state-dict layout kept.

Attention layers hold a single ``qkv_proj = nn.Linear(D, q_dim + 2 * kv_dim)`` whose rows
are the query, key and value projections in that order: one GEMM (and one in the
backward pass) instead of three is what makes hand-written nanoGPT-style attention
faster than three separate ``nn.Linear``. Everything outside the layer still sees three
projections:

- ``layer.q_proj`` / ``k_proj`` / ``v_proj`` are `ProjectionView` objects whose
  ``weight`` / ``bias`` are row views of the fused parameter (writing into them writes
  the fused weight), with ``in_features`` / ``out_features`` like an ``nn.Linear``;
- ``state_dict()`` splits the fused tensors into ``q_proj.weight``, ``k_proj.weight``,
  ``v_proj.weight`` (and biases), and ``load_state_dict()`` concatenates them back, so
  checkpoints, safetensors files and the Hugging Face mapping keep the layout they had
  before the fusion, and checkpoints written before it still load.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "PARTS",
    "ProjectionView",
    "fuse_qkv_state",
    "install_state_dict_hooks",
    "split_qkv_state",
]

PARTS = ("q_proj", "k_proj", "v_proj")
FUSED = "qkv_proj"


class ProjectionView:
    """Rows ``start:stop`` of a fused ``nn.Linear``, standing in for the ``nn.Linear`` it replaced.

    Not a module (it owns no parameter: the fused layer does). ``weight`` and ``bias`` are
    views, so in-place writes (``with torch.no_grad(): view.weight.copy_(w)``) reach the
    fused parameter; calling the view applies just those rows.

    Args:
        fused (nn.Linear): the fused projection.
        start (int): first output row.
        stop (int): one past the last output row.
    """

    __slots__ = ("fused", "start", "stop")

    def __init__(self, fused: nn.Linear, start: int, stop: int) -> None:
        self.fused, self.start, self.stop = fused, start, stop

    @property
    def rows(self) -> tuple[int, int]:
        """``(start, stop)`` within the fused weight."""
        return self.start, self.stop

    @property
    def in_features(self) -> int:
        return self.fused.in_features

    @property
    def out_features(self) -> int:
        return self.stop - self.start

    @property
    def weight(self) -> Tensor:
        """``[out_features, in_features]`` view of the fused weight."""
        return self.fused.weight[self.start : self.stop]

    @property
    def bias(self) -> Tensor | None:
        """``[out_features]`` view of the fused bias, or None without biases."""
        bias = self.fused.bias
        return None if bias is None else bias[self.start : self.stop]

    def __call__(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def __repr__(self) -> str:
        return (
            f"ProjectionView(rows={self.start}:{self.stop} of {FUSED}, "
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.fused.bias is not None})"
        )


def _sizes(module: nn.Module) -> tuple[int, int, int]:
    return module.qkv_sizes


def _split(fused: Tensor, sizes: tuple[int, int, int]) -> list[Tensor]:
    """Row blocks of ``fused``; a sharded DTensor (FSDP2) gives parts sharded the same way,
    so each rank's local piece of ``k_proj.weight`` is a slice of ``k_proj.weight``."""
    parts = list(fused.detach().split(sizes))
    placements = getattr(fused, "placements", None)
    if placements is not None:
        parts = [p.redistribute(fused.device_mesh, placements) for p in parts]
    return parts


def split_qkv_state(
    module: nn.Module, state_dict: dict[str, Any], prefix: str, local_metadata: Any
) -> None:
    """State-dict post-hook: ``qkv_proj.*`` becomes ``q_proj.*``, ``k_proj.*``, ``v_proj.*``.

    The keys take the fused ones' place, in the order three ``nn.Linear`` would give
    (``q_proj.weight, q_proj.bias, k_proj.weight, ...``). The parts are copies
    (``clone``), not views: safetensors refuses tensors that share a storage that none
    of them covers.
    """
    weight_key = f"{prefix}{FUSED}.weight"
    if weight_key not in state_dict:
        return
    bias_key = f"{prefix}{FUSED}.bias"
    sizes = _sizes(module)
    weights = _split(state_dict[weight_key], sizes)
    biases = _split(state_dict[bias_key], sizes) if bias_key in state_dict else None
    parts: list[tuple[str, Tensor]] = []
    for i, name in enumerate(PARTS):
        parts.append((f"{prefix}{name}.weight", weights[i].clone()))
        if biases is not None:
            parts.append((f"{prefix}{name}.bias", biases[i].clone()))
    items = [(k, v) for k, v in state_dict.items() if k != bias_key]
    at = next(i for i, (k, _) in enumerate(items) if k == weight_key)
    state_dict.clear()
    state_dict.update(items[:at] + parts + items[at + 1 :])


def fuse_qkv_state(
    module: nn.Module,
    state_dict: dict[str, Any],
    prefix: str,
    local_metadata: Any,
    strict: bool,
    missing_keys: list[str],
    unexpected_keys: list[str],
    error_msgs: list[str],
) -> None:
    """Load pre-hook: ``q_proj.*``, ``k_proj.*``, ``v_proj.*`` are concatenated into ``qkv_proj.*``.

    Runs only when all three parts are present (a state dict that already holds
    ``qkv_proj.*`` loads as it is). A part of the wrong shape is reported like any
    size mismatch, under its own name.
    """
    sizes = _sizes(module)
    in_features = module.qkv_proj.in_features
    for suffix in ("weight", "bias"):
        keys = [f"{prefix}{name}.{suffix}" for name in PARTS]
        if not all(k in state_dict for k in keys):
            continue
        parts = [state_dict.pop(k) for k in keys]
        bad = False
        for key, part, rows in zip(keys, parts, sizes, strict=True):
            want = (rows, in_features) if suffix == "weight" else (rows,)
            if tuple(part.shape) != want:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(part.shape)} "
                    f"from checkpoint, the shape in current model is {torch.Size(want)}."
                )
                bad = True
        if not bad:
            state_dict[f"{prefix}{FUSED}.{suffix}"] = torch.cat(parts)


def install_state_dict_hooks(module: nn.Module) -> None:
    """Register `split_qkv_state` and `fuse_qkv_state` on ``module``.

    The public registration methods are recent (torch 2.5); older releases have the same
    hooks under private names.
    """
    post = getattr(module, "register_state_dict_post_hook", None)
    if post is not None:
        post(split_qkv_state)
    else:  # pragma: no cover - torch < 2.5
        module._register_state_dict_hook(split_qkv_state)
    pre = getattr(module, "register_load_state_dict_pre_hook", None)
    if pre is not None:
        pre(fuse_qkv_state)
    else:  # pragma: no cover - torch < 2.5
        module._register_load_state_dict_pre_hook(fuse_qkv_state, with_module=True)
