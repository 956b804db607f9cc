"""olm.train: training any olm model, from one CPU to many GPUs.

The core is a generator, :func:`train_iter`, that yields plain event dicts (documented in
``docs/events.md``); ``olm train`` writes them as JSON lines and the Studio plots them.
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
from olm.train.losses import CrossEntropyLoss, LossBase, ZLoss
from olm.train.optim import AdamW, param_groups
from olm.train.run import TrainRun, train_iter
from olm.train.schedulers import (
    CosineAnnealingLR,
    LinearLR,
    SchedulerBase,
    WarmupCosineScheduler,
    WarmupLR,
)
from olm.train.source import load_source
from olm.train.step import TrainStep
from olm.train.trainer import Trainer

__all__ = [
    "AdamW",
    "AutoTrainer",
    "CheckpointCallback",
    "CosineAnnealingLR",
    "CrossEntropyLoss",
    "DDPTrainer",
    "EarlyStoppingCallback",
    "LRMonitorCallback",
    "LinearLR",
    "LossBase",
    "MetricsLoggerCallback",
    "SchedulerBase",
    "ThroughputCallback",
    "TrainConfig",
    "TrainRun",
    "TrainStep",
    "Trainer",
    "TrainerCallback",
    "ValidationCallback",
    "WarmupCosineScheduler",
    "WarmupLR",
    "ZLoss",
    "auto_trainer",
    "load_source",
    "load_trainer_state",
    "load_weights",
    "param_groups",
    "resolve_checkpoint",
    "save_checkpoint",
    "train_iter",
]
