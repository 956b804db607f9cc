"""Training from OLM Studio: the Train panel and what it is made of.

The panel (:class:`TrainPanel`) runs `olm train` as a child process, draws its events
live, keeps every run in a folder, overlays runs to compare them, and exports.
"""

from olm_studio.training.panel import TrainPanel

__all__ = ["TrainPanel"]
