"""Context-extended RoPE: linear, NTK, dynamic NTK, YaRN and Llama 3.1 frequency scaling."""

from __future__ import annotations

from typing import Literal

from olm.nn.embeddings._rope_scaling import make_scaling
from olm.nn.embeddings.base import PositionalEmbeddingBase
from olm.nn.embeddings.partial_rotary import rotary_dim_for
from olm.nn.embeddings.rotary import RotaryPositionalEmbedding

__all__ = ["PartialScaledRotaryPositionalEmbedding", "ScaledRotaryPositionalEmbedding"]

ScalingType = Literal["linear", "ntk", "dynamic_ntk", "yarn", "llama3"]


class ScaledRotaryPositionalEmbedding(RotaryPositionalEmbedding):
    """RoPE whose frequencies are rescaled to reach beyond the pretraining length.

    - ``linear``: positions divided by ``scaling_factor`` (position interpolation).
    - ``ntk``: base stretched by ``factor^(d/(d-2))`` (NTK-aware).
    - ``dynamic_ntk``: ``ntk`` whose stretch grows with the current length once it passes
      ``original_max_seq_len`` (Hugging Face "dynamic"; computed per call, not cached).
    - ``yarn``: YaRN ramp between interpolated and original frequencies, with its cos/sin
      attention factor.
    - ``llama3``: Llama 3.1's band-wise scaling; defaults to its published values
      (factor 8, low/high frequency factor 1/4, original length 8192), identical to
      transformers' ``_compute_llama3_parameters``.

    Args:
        head_dim (int): size of each attention head (even).
        max_seq_len (int): the longest sequence the model is meant for. Default: 2048.
        base (float): RoPE theta. Default: 10000.
        scaling_type (str): one of "linear", "ntk", "dynamic_ntk", "yarn", "llama3".
            Default: "linear".
        scaling_factor (float | None): the extension factor (>= 1); None means 8 for
            "llama3" and 1 otherwise. Default: None.
        original_max_seq_len (int | None): the pretraining length; None means 8192 for
            "llama3" and ``max_seq_len / scaling_factor`` otherwise. Default: None.
        yarn_alpha (float): YaRN beta_slow (rotations below which dims are interpolated).
            Default: 1.0.
        yarn_beta (float): YaRN beta_fast (rotations above which dims are kept). Default: 32.0.
        low_freq_factor (float): llama3 low-frequency factor. Default: 1.0.
        high_freq_factor (float): llama3 high-frequency factor. Default: 4.0.
    """

    family = "embedding"

    def __init__(
        self,
        head_dim: int,
        max_seq_len: int = 2048,
        base: float = 10000,
        scaling_type: ScalingType = "linear",
        scaling_factor: float | None = None,
        original_max_seq_len: int | None = None,
        yarn_alpha: float = 1.0,
        yarn_beta: float = 32.0,
        low_freq_factor: float = 1.0,
        high_freq_factor: float = 4.0,
    ) -> None:
        PositionalEmbeddingBase.__init__(self)
        scaling = make_scaling(
            scaling_type,
            max_seq_len,
            factor=scaling_factor,
            original_max_seq_len=original_max_seq_len,
            beta_slow=yarn_alpha,
            beta_fast=yarn_beta,
            low_freq_factor=low_freq_factor,
            high_freq_factor=high_freq_factor,
        )
        self.scaling_type = scaling_type
        self._setup(head_dim, head_dim, max_seq_len, base, scaling)


class PartialScaledRotaryPositionalEmbedding(RotaryPositionalEmbedding):
    """`ScaledRotaryPositionalEmbedding` applied to the first fraction of each head only.

    Args:
        head_dim (int): size of each attention head.
        rotary_percentage (float): fraction of each head that is rotated, in (0, 1].
            Default: 0.5.
        max_seq_len (int): the longest sequence the model is meant for. Default: 2048.
        base (float): RoPE theta. Default: 10000.
        scaling_type (str): one of "linear", "ntk", "dynamic_ntk", "yarn", "llama3".
            Default: "linear".
        scaling_factor (float | None): the extension factor; see
            `ScaledRotaryPositionalEmbedding`. Default: None.
        original_max_seq_len (int | None): the pretraining length. Default: None.
        yarn_alpha (float): YaRN beta_slow. Default: 1.0.
        yarn_beta (float): YaRN beta_fast. Default: 32.0.
        low_freq_factor (float): llama3 low-frequency factor. Default: 1.0.
        high_freq_factor (float): llama3 high-frequency factor. Default: 4.0.
    """

    family = "embedding"

    def __init__(
        self,
        head_dim: int,
        rotary_percentage: float = 0.5,
        max_seq_len: int = 2048,
        base: float = 10000,
        scaling_type: ScalingType = "linear",
        scaling_factor: float | None = None,
        original_max_seq_len: int | None = None,
        yarn_alpha: float = 1.0,
        yarn_beta: float = 32.0,
        low_freq_factor: float = 1.0,
        high_freq_factor: float = 4.0,
    ) -> None:
        PositionalEmbeddingBase.__init__(self)
        rotary_dim = rotary_dim_for(head_dim, rotary_percentage)
        scaling = make_scaling(
            scaling_type,
            max_seq_len,
            factor=scaling_factor,
            original_max_seq_len=original_max_seq_len,
            beta_slow=yarn_alpha,
            beta_fast=yarn_beta,
            low_freq_factor=low_freq_factor,
            high_freq_factor=high_freq_factor,
        )
        self.rotary_percentage = float(rotary_percentage)
        self.scaling_type = scaling_type
        self._setup(head_dim, rotary_dim, max_seq_len, base, scaling)
