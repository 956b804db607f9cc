"""Allowed ranges of well-known hyperparameters (kept in :mod:`olm.core.limits`).

The catalog attaches these to every parameter of that name, the inspector uses them for
its spin boxes, and :func:`check_value` refuses absurd values (``embed_dim = 10**9``)
before anything is built or allocated. The table itself lives in :mod:`olm.core.limits`
with every other limit, so components (which cannot import ``olm.graph``) check the same
numbers; this module keeps the names the graph package has always used.
"""

from __future__ import annotations

from olm.core.limits import DEFAULT_RANGES, EXCLUSIVE_LOW, RANGES, check_value, range_for

__all__ = ["RANGES", "DEFAULT_RANGES", "EXCLUSIVE_LOW", "check_value", "range_for"]
