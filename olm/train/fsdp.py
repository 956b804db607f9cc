"""``FSDPTrainer``: the Trainer with parameters, gradients and optimizer state sharded.

Under ``torchrun`` each rank holds 1/world of every weight and gathers a layer's full
weights only while it runs (PyTorch FSDP2, ``torch.distributed.fsdp.fully_shard``), so a
model whose training state is larger than one GPU still trains. FSDP2 shards each
parameter as a DTensor, keeps the module's own parameter names, and works on CPUs over
gloo as well as on GPUs over NCCL. In a single process there is nothing to shard: the
trainer says so and trains exactly like :class:`Trainer`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
import torch.distributed as dist
from safetensors.torch import save_file
from torch import nn

from olm.core.errors import ConfigError, OLMError
from olm.store import layout
from olm.train.distributed import setup_distributed
from olm.train.trainer import Trainer

__all__ = ["FSDPTrainer", "SHARDING_STRATEGIES", "STATE_DICT_TYPES", "wrap_units"]

SHARDING_STRATEGIES = ("FULL_SHARD", "SHARD_GRAD_OP", "NO_SHARD", "HYBRID_SHARD")
STATE_DICT_TYPES = ("FULL_STATE_DICT", "LOCAL_STATE_DICT", "SHARDED_STATE_DICT")
_WRAP_POLICIES = ("size", "transformer", None)
_PREFETCH = ("BACKWARD_PRE", "BACKWARD_POST", None)
_PRECISION = {None: None, "bf16": torch.bfloat16, "fp16": torch.float16}


def _check(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ConfigError(f"FSDPTrainer {name}={value!r}; use one of {', '.join(map(repr, allowed))}")


def _tied_params(model: nn.Module) -> set[int]:
    """ids of parameters used in more than one place (a tied embedding and head).

    Counts both parameters registered under two names and ones a module holds by plain
    attribute (olm's ``OutputHead`` keeps its tied embedding that way, out of its
    registered children, so the table is saved once).
    """
    seen: dict[int, int] = {}
    for _, p in model.named_parameters(remove_duplicate=False):
        seen[id(p)] = seen.get(id(p), 0) + 1
    tied = {k for k, n in seen.items() if n > 1}
    for m in model.modules():
        for value in vars(m).values():
            if isinstance(value, nn.Parameter):
                tied.add(id(value))
            elif isinstance(value, nn.Module):
                tied.update(id(p) for p in value.parameters())
    return tied


def _layer_classes(spec) -> tuple:
    specs = spec if isinstance(spec, (list, tuple, set)) else [spec]
    return tuple(specs)


def wrap_units(model: nn.Module, policy: str | None, min_num_params: float,
               transformer_layer_cls=None) -> list[nn.Module]:
    """The submodules to shard as their own units (the root is always one, last).

    "transformer": every instance of ``transformer_layer_cls`` (classes or class names).
    "size": bottom-up, each module holding at least ``min_num_params`` parameters not
    already in a unit. Modules holding a tied parameter are never separate units, as
    one tensor cannot live in two shards.
    """
    tied = _tied_params(model)
    units: list[nn.Module] = []
    if policy == "transformer":
        if transformer_layer_cls is None:
            raise ConfigError("FSDPTrainer auto_wrap_policy='transformer' needs transformer_layer_cls")
        classes = _layer_classes(transformer_layer_cls)
        for m in model.modules():
            if m is model or any(id(p) in tied for p in m.parameters()):
                continue
            if any((isinstance(c, type) and isinstance(m, c)) or type(m).__name__ == c for c in classes):
                units.append(m)
    elif policy == "size":
        covered: set[int] = set()
        for m in reversed(list(model.modules())):  # children before parents
            if m is model:
                continue
            params = [p for p in m.parameters() if id(p) not in covered]
            if any(id(p) in tied for p in m.parameters()):
                continue
            if params and sum(p.numel() for p in params) >= min_num_params:
                units.append(m)
                covered.update(id(p) for p in m.parameters())
    return units


def _mesh(device_type: str, strategy: str, world: int):
    from torch.distributed.device_mesh import init_device_mesh

    if strategy == "HYBRID_SHARD":
        local = int(os.environ.get("LOCAL_WORLD_SIZE", world))
        if world % local:
            raise ConfigError(f"HYBRID_SHARD needs the world size ({world}) to be a multiple "
                              f"of the processes per node ({local})")
        return init_device_mesh(device_type, (world // local, local), mesh_dim_names=("replicate", "shard"))
    if strategy == "NO_SHARD":  # replicate everywhere, shard over groups of one: DDP-like
        return init_device_mesh(device_type, (world, 1), mesh_dim_names=("replicate", "shard"))
    return init_device_mesh(device_type, (world,), mesh_dim_names=("shard",))


class FSDPTrainer(Trainer):
    """A :class:`Trainer` whose model is sharded with FSDP2 over the ``torchrun`` ranks.

    The optimizer must be given as a class (it is built after sharding, over the sharded
    parameters). ``backward_prefetch``, ``limit_all_gathers`` and ``use_orig_params`` are
    FSDP1 options kept for API compatibility: FSDP2 always prefetches, bounds its
    all-gathers and keeps the original parameters, so they are checked and otherwise unused.

    Args:
        *args: as :class:`Trainer`.
        sharding_strategy (str): "FULL_SHARD" (reshard after forward), "SHARD_GRAD_OP"
            (keep gathered weights until backward), "NO_SHARD" (replicate, like DDP),
            "HYBRID_SHARD" (shard within a node, replicate across nodes).
        auto_wrap_policy (str | None): "size", "transformer" or None (the whole model is one unit).
        min_num_params (float): threshold of the "size" policy.
        transformer_layer_cls: class(es) or class name(s) of the "transformer" policy.
        cpu_offload (bool): keep parameters and optimizer state on the CPU.
        backward_prefetch (str | None): FSDP1 option (checked, unused).
        mixed_precision_policy (str | None): "bf16" or "fp16" compute, fp32 reductions.
        limit_all_gathers (bool): FSDP1 option (unused).
        use_orig_params (bool): FSDP1 option (unused).
        **kwargs: as :class:`Trainer`.
    """

    def __init__(self, model: nn.Module, optimizer, dataloader, device: str, context_length: int,
                 *args, sharding_strategy: str = "FULL_SHARD", auto_wrap_policy: str | None = "size",
                 min_num_params: float = 1e8, transformer_layer_cls=None, cpu_offload: bool = False,
                 backward_prefetch: str | None = "BACKWARD_PRE", mixed_precision_policy: str | None = None,
                 limit_all_gathers: bool = True, use_orig_params: bool = True, **kwargs) -> None:
        _check("sharding_strategy", sharding_strategy, SHARDING_STRATEGIES)
        _check("auto_wrap_policy", auto_wrap_policy, _WRAP_POLICIES)
        _check("backward_prefetch", backward_prefetch, _PREFETCH)
        _check("mixed_precision_policy", mixed_precision_policy, tuple(_PRECISION))
        self.sharding_strategy = sharding_strategy
        self.dist = setup_distributed(use_cuda=str(device).startswith("cuda"))
        self.fsdp_units: list[nn.Module] = []
        if self.dist.active:
            if isinstance(optimizer, torch.optim.Optimizer):
                raise ConfigError("FSDPTrainer needs the optimizer as a class (e.g. AdamW): FSDP "
                                  "replaces the parameters, so an optimizer built before it "
                                  "would update stale tensors")
            dev = torch.device(device)
            if dev.type == "cuda" and dev.index is None:
                dev = torch.device("cuda", self.dist.local_rank)
            device = str(dev)
            model = self._shard(model.to(dev), dev.type, auto_wrap_policy, min_num_params,
                                transformer_layer_cls, cpu_offload, mixed_precision_policy)
        else:
            print("FSDPTrainer: a single process, so nothing to shard; training as a plain "
                  "Trainer (launch with torchrun for FSDP)")
        super().__init__(model, optimizer, dataloader, device, context_length, *args, **kwargs)

    def _shard(self, model, device_type, policy, min_num_params, layer_cls, cpu_offload, precision):
        from torch.distributed.fsdp import (
            CPUOffloadPolicy,
            MixedPrecisionPolicy,
            OffloadPolicy,
            fully_shard,
        )

        mesh = _mesh(device_type, self.sharding_strategy, self.dist.world_size)
        dtype = _PRECISION[precision]
        options = dict(
            mesh=mesh, reshard_after_forward=self.sharding_strategy != "SHARD_GRAD_OP",
            mp_policy=MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32 if dtype else None),
            offload_policy=CPUOffloadPolicy() if cpu_offload else OffloadPolicy(),
        )
        self.fsdp_units = wrap_units(model, policy, min_num_params, layer_cls)
        try:
            for unit in self.fsdp_units:
                fully_shard(unit, **options)
            fully_shard(model, **options)
        except (RuntimeError, NotImplementedError, ValueError) as exc:
            raise OLMError(f"FSDP could not shard the model on {device_type} "
                           f"({self.sharding_strategy}): {exc}") from exc
        return model

    @property
    def is_main(self) -> bool:
        return self.dist.is_main

    def save_checkpoint(self, path: str | Path, state_dict_type: str = "FULL_STATE_DICT") -> Path | None:
        """Save the weights as safetensors.

        One process: the usual checkpoint folder (:meth:`Trainer.save_checkpoint`), whatever
        the type. Several: "FULL_STATE_DICT" gathers the whole model and rank 0 writes
        ``path/model.safetensors`` (others return None); "LOCAL_STATE_DICT" and
        "SHARDED_STATE_DICT" have every rank write its own shard,
        ``path/model.rank00000.safetensors``, with each tensor's global shape in the metadata.
        Every rank must call it (the gather is collective).
        """
        _check("state_dict_type", state_dict_type, STATE_DICT_TYPES)
        if not self.dist.active:
            return super().save_checkpoint(path)
        path = Path(path)
        if state_dict_type == "FULL_STATE_DICT":
            from torch.distributed.checkpoint.state_dict import (
                StateDictOptions,
                get_model_state_dict,
            )

            full = get_model_state_dict(self.model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
            out = None
            if self.dist.is_main:
                path.mkdir(parents=True, exist_ok=True)
                tensors = {k: v.detach().clone().contiguous() for k, v in full.items()}
                state = {"step": str(self.global_step), "tokens": str(self.total_tokens_processed),
                         "world_size": str(self.dist.world_size), "state_dict_type": state_dict_type}
                save_file(tensors, str(path / layout.WEIGHTS), metadata=state)
                out = path
            dist.barrier()
            return out
        path.mkdir(parents=True, exist_ok=True)
        local, shapes = {}, {}
        for k, v in self.model.state_dict().items():
            to_local = getattr(v, "to_local", None)
            shapes[k] = list(v.shape)
            local[k] = (to_local() if to_local else v).detach().cpu().clone().contiguous()
        meta = {"global_shapes": json.dumps(shapes), "rank": str(self.dist.rank),
                "world_size": str(self.dist.world_size), "state_dict_type": state_dict_type}
        save_file(local, str(path / f"model.rank{self.dist.rank:05d}.safetensors"), metadata=meta)
        dist.barrier()
        return path
