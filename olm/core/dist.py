"""`olm.core.dist`: the distributed helpers under the name the OLM API gives them.

They live in :mod:`olm.train.distributed` beside the code that uses them.
"""

from olm.train.distributed import get_local_rank, setup_distributed

__all__ = ["get_local_rank", "setup_distributed"]
