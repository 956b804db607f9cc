"""olm.train.device strategy helpers, FSDPTrainer in one process, and AutoTrainer's routing."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file
from tiny_models import tiny_llama
from torch import nn

from olm.core.errors import ConfigError
from olm.train import AdamW, AutoTrainer, FSDPTrainer, Trainer
from olm.train.device import (
    DeviceConfig,
    TrainerStrategy,
    detect_devices,
    determine_strategy,
    estimate_model_size,
    parse_device_string,
    print_strategy_summary,
)

GIB = 2**30


def _cpu() -> DeviceConfig:
    return DeviceConfig(num_gpus=0, num_cpus=2, cuda_available=False, device_type="cpu")


def _gpus(n: int = 4, world: int = 1, mem: int = 80 * GIB) -> DeviceConfig:
    return DeviceConfig(num_gpus=n, num_cpus=32, cuda_available=True, gpu_memory_per_device=mem,
                        total_gpu_memory=n * mem, world_size=world)


def test_detect_devices_reports_what_torch_sees(capsys):
    cfg = detect_devices(verbose=True)
    assert cfg.cuda_available == torch.cuda.is_available()
    assert cfg.num_gpus == (torch.cuda.device_count() if cfg.cuda_available else 0)
    assert cfg.num_cpus >= 1 and cfg.world_size == 1
    assert "CPU core" in capsys.readouterr().out
    detect_devices(verbose=False)
    assert capsys.readouterr().out == ""


def test_estimate_model_size_on_meta_counts_params_grads_and_adam_state():
    model = nn.Sequential(nn.Linear(10, 20), nn.Linear(20, 3)).to("meta")
    n = 10 * 20 + 20 + 20 * 3 + 3
    assert estimate_model_size(model) == n * 4 * 4  # fp32 weights, grads, two moments
    model[1].bias.requires_grad_(False)
    assert estimate_model_size(model) == (n - 3) * 16 + 3 * 4
    big = nn.Linear(50_000, 50_000, device="meta", dtype=torch.bfloat16)
    assert estimate_model_size(big) == (50_000 * 50_001) * 2 * 4
    tied = nn.Module()
    tied.a = nn.Linear(4, 4, bias=False)
    tied.b = nn.Linear(4, 4, bias=False)
    tied.b.weight = tied.a.weight
    assert estimate_model_size(tied) == 16 * 16


def test_strategy_on_cpu_and_forced():
    assert determine_strategy(_cpu()).strategy is TrainerStrategy.SINGLE_CPU
    auto = parse_device_string("auto")
    assert (auto.strategy is TrainerStrategy.SINGLE_CPU) == (auto.device_type == "cpu")
    cpu = parse_device_string("cpu:auto", model=tiny_llama())
    assert cpu.strategy is TrainerStrategy.SINGLE_CPU and cpu.device == "cpu" and cpu.backend is None
    for force in (TrainerStrategy.MULTI_GPU_FSDP_FULL, "multi_gpu_fsdp_full", "MULTI_GPU_FSDP_FULL"):
        cfg = determine_strategy(_cpu(), force_strategy=force)
        assert cfg.strategy is TrainerStrategy.MULTI_GPU_FSDP_FULL
        assert cfg.sharding_strategy == "FULL_SHARD" and cfg.backend == "gloo"
    ddp = parse_device_string("cpu", force_strategy="MULTI_GPU_DDP")
    assert ddp.strategy is TrainerStrategy.MULTI_GPU_DDP and ddp.sharding_strategy is None
    with pytest.raises(ConfigError, match="'FASTEST'"):
        determine_strategy(_cpu(), force_strategy="FASTEST")
    with pytest.raises(ConfigError, match="'turbo'"):
        determine_strategy(_cpu(), preset="turbo")


def test_strategy_for_gpu_machines_follows_model_size():
    small = nn.Linear(64, 64, device="meta")
    big = nn.Linear(60_000, 60_000, device="meta")  # 3.6e9 params: 58 GB to train in fp32
    assert determine_strategy(_gpus(1)).strategy is TrainerStrategy.SINGLE_GPU
    assert determine_strategy(_gpus(4), small).strategy is TrainerStrategy.MULTI_GPU_DDP
    full = determine_strategy(_gpus(4), big)
    assert full.strategy is TrainerStrategy.MULTI_GPU_FSDP_FULL and full.backend == "nccl"
    assert full.mixed_precision in ("bf16", "fp16") and not full.cpu_offload
    assert determine_strategy(_gpus(4), big, preset="speed").strategy is TrainerStrategy.MULTI_GPU_DDP
    hybrid = determine_strategy(_gpus(4, world=8), big)
    assert hybrid.strategy is TrainerStrategy.MULTI_GPU_FSDP_HYBRID
    assert hybrid.sharding_strategy == "HYBRID_SHARD"
    # a model whose shard still overflows one GPU is offloaded to the CPU
    assert determine_strategy(_gpus(2, mem=16 * GIB), big).cpu_offload


@pytest.mark.parametrize("bad", ["gpu", "cuda:x", "", "cpu:0:1", "tpu"])
def test_bad_device_strings_name_the_string(bad):
    with pytest.raises(ConfigError, match=repr(bad)):
        parse_device_string(bad)


def test_cuda_strings_need_cuda():
    if torch.cuda.is_available():
        assert parse_device_string("cuda:0").device == "cuda:0"
    else:
        with pytest.raises(ConfigError, match="CUDA is not available"):
            parse_device_string("cuda")


def test_print_strategy_summary(capsys):
    print_strategy_summary(determine_strategy(_gpus(4), nn.Linear(60_000, 60_000, device="meta")))
    out = capsys.readouterr().out
    assert "MULTI_GPU_FSDP_FULL" in out and "FULL_SHARD" in out and "80.0 GiB" in out


def _loader(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, 256, (4, 2, 17), generator=g)
    return [(b[:, :-1], b[:, 1:]) for b in ids]


def test_fsdp_trainer_alone_trains_exactly_like_trainer(tmp_path, capsys):
    kwargs = dict(use_amp=False, learning_rate=3e-3, total_steps=4)
    torch.manual_seed(0)
    plain = Trainer(tiny_llama(), AdamW, _loader(), "cpu", 16, **kwargs).train(log_interval=0)
    torch.manual_seed(0)
    fsdp = FSDPTrainer(tiny_llama(), AdamW, _loader(), "cpu", 16, sharding_strategy="SHARD_GRAD_OP",
                       **kwargs)
    assert "single process" in capsys.readouterr().out
    assert fsdp.train(log_interval=0) == plain and len(plain) == 4
    folder = fsdp.save_checkpoint(tmp_path / "ck")
    weights = load_file(str(folder / "model.safetensors"))
    own = fsdp.model.state_dict()
    assert weights and all(torch.equal(v, own[k]) for k, v in weights.items())
    with pytest.raises(ConfigError, match="state_dict_type"):
        fsdp.save_checkpoint(tmp_path / "x", state_dict_type="FULL")
    with pytest.raises(ConfigError, match="sharding_strategy='ZERO3'"):
        FSDPTrainer(tiny_llama(), AdamW, _loader(), "cpu", 16, sharding_strategy="ZERO3")


def test_auto_trainer_routes_by_strategy(capsys):
    common = dict(use_amp=False, total_steps=2)
    auto = AutoTrainer(tiny_llama(), AdamW, _loader(), device="cpu", context_length=16, **common)
    assert type(auto) is Trainer and "SINGLE_CPU" in capsys.readouterr().out
    fsdp = AutoTrainer(tiny_llama(), AdamW, _loader(), device="cpu", context_length=16,
                       force_strategy="MULTI_GPU_FSDP_FULL", fsdp_min_num_params=1e4,
                       verbose=False, **common)
    assert isinstance(fsdp, FSDPTrainer) and fsdp.sharding_strategy == "FULL_SHARD"
    assert len(fsdp.train(log_interval=0, max_steps=2)) == 2
    cfg = determine_strategy(_cpu(), force_strategy="MULTI_GPU_FSDP_HYBRID")
    hybrid = AutoTrainer(tiny_llama(), AdamW, _loader(), device=cfg, context_length=16,
                         verbose=False, **common)
    assert isinstance(hybrid, FSDPTrainer) and hybrid.sharding_strategy == "HYBRID_SHARD"
    with pytest.raises(ConfigError, match="fsdp_wrap_everything"):
        AutoTrainer(tiny_llama(), AdamW, _loader(), device="cpu", fsdp_wrap_everything=True)
