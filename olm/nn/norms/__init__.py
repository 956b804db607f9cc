"""Normalisation layers: `LayerNorm` and `RMSNorm`, registered in ``NORMS`` by name."""

from olm.nn.norms.base import NormBase
from olm.nn.norms.layer_norm import LayerNorm
from olm.nn.norms.rms_norm import RMSNorm

__all__ = ["LayerNorm", "NormBase", "RMSNorm"]
