"""olm.train: training any olm model, from one CPU to many GPUs.

The core is a generator, :func:`train_iter`, that yields typed events
(:mod:`olm.train.events`, documented in ``docs/events.md``) for one :class:`TrainConfig`;
``olm train`` writes them as JSON lines and the Studio reads them back with the one
reader, ``olm.train.events.read_events``, to plot them. :mod:`olm.train.preflight` checks
a run before it starts.
:class:`Trainer` offers the same step to scripts that bring their own data loader.
"""

from olm.train.auto import AutoTrainer, DDPTrainer, auto_trainer
from olm.train.callbacks import (
    CheckpointCallback,
    EarlyStoppingCallback,
    LRMonitorCallback,
    MetricsLoggerCallback,
    ThroughputCallback,
    TrainerCallback,
    ValidationCallback,
)
from olm.train.checkpoint import (
    load_trainer_state,
    load_weights,
    resolve_checkpoint,
    save_checkpoint,
)
from olm.train.config import TrainConfig
from olm.train.device import (
    DeviceConfig,
    TrainerStrategy,
    detect_devices,
    determine_strategy,
    estimate_model_size,
    parse_device_string,
    print_strategy_summary,
)
from olm.train.fsdp import FSDPTrainer
from olm.train.lion import Lion
from olm.train.losses import CrossEntropyLoss, KLLoss, LossBase, MaskedCELoss, ZLoss
from olm.train.optim import AdamW, OptimizerBase, param_groups
from olm.train.run import TrainRun, train_iter
from olm.train.schedulers import (
    CosineAnnealingLR,
    LinearDecayLR,
    LinearLR,
    SchedulerBase,
    WarmupCosineScheduler,
    WarmupLR,
)
from olm.train.source import load_source
from olm.train.step import TrainStep
from olm.train.trainer import Trainer
from olm.train.zero import ZeROOptimizer

__all__ = [
    "AdamW",
    "AutoTrainer",
    "CheckpointCallback",
    "CosineAnnealingLR",
    "CrossEntropyLoss",
    "DDPTrainer",
    "DeviceConfig",
    "EarlyStoppingCallback",
    "FSDPTrainer",
    "KLLoss",
    "LRMonitorCallback",
    "LinearDecayLR",
    "LinearLR",
    "Lion",
    "LossBase",
    "MaskedCELoss",
    "MetricsLoggerCallback",
    "OptimizerBase",
    "SchedulerBase",
    "ThroughputCallback",
    "TrainConfig",
    "TrainRun",
    "TrainStep",
    "Trainer",
    "TrainerCallback",
    "TrainerStrategy",
    "ValidationCallback",
    "WarmupCosineScheduler",
    "WarmupLR",
    "ZLoss",
    "ZeROOptimizer",
    "auto_trainer",
    "detect_devices",
    "determine_strategy",
    "estimate_model_size",
    "load_source",
    "load_trainer_state",
    "load_weights",
    "param_groups",
    "parse_device_string",
    "print_strategy_summary",
    "resolve_checkpoint",
    "save_checkpoint",
    "train_iter",
]
