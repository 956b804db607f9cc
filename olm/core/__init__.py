"""Core mechanisms shared by every part of `olm`."""

from olm.core.capture import Component, init_args, init_signature
from olm.core.registry import Registry

__all__ = ["Component", "Registry", "init_args", "init_signature"]
