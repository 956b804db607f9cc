"""The distributed helpers as the training loop has always imported them.

They are owned by :mod:`olm.core.dist` (the core layer, below everything that uses them);
this module only re-exports them so existing imports keep working.
"""

from olm.core.dist import DistInfo, all_mean, any_flag, get_local_rank, setup_distributed

__all__ = ["DistInfo", "setup_distributed", "get_local_rank", "all_mean", "any_flag"]
