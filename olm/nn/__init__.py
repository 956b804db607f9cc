"""olm.nn: the components models are built from (no Qt, plain PyTorch)."""

from olm.nn import structure

__all__ = ["structure"]
