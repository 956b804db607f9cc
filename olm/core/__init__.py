"""Core mechanisms shared by every part of `olm`.

Names are imported on first use (:mod:`olm.core.lazy`), so ``olm.core.errors`` can be
used without importing torch.
"""

from olm.core.lazy import lazy_exports

__all__ = ["Component", "Registry", "init_args", "init_signature"]

__getattr__, __dir__ = lazy_exports(__name__, {
    "Component": "olm.core.capture",
    "init_args": "olm.core.capture",
    "init_signature": "olm.core.capture",
    "Registry": "olm.core.registry",
})
