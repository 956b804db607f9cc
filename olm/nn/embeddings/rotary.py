"""`RotaryPositionalEmbedding` (RoPE): position encoded by rotating query/key dim pairs.

Pair layout is Hugging Face's "rotate_half" (dim i pairs with dim i + d/2), so q/k weights
from HF checkpoints load without any row permutation. cos/sin are computed for the
positions actually used: nothing ``max_seq_len``-sized is allocated, and building on the
``meta`` device costs only the ``head_dim/2`` inverse frequencies.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
from torch import Tensor

from olm.core.errors import ConfigError
from olm.nn.embeddings._rope_frequencies import LENGTH_DEPENDENT, RopeScaling, scaled_inv_freq
from olm.nn.embeddings._rope_scaling import parse_hf_scaling
from olm.nn.embeddings.base import PositionalEmbeddingBase, positions_for, require_positive

__all__ = ["RotaryPositionalEmbedding", "apply_rotary", "rotate_half"]


@functools.lru_cache(maxsize=64)
def _construction_inv_freq(dim: int, base: float, scaling: RopeScaling) -> tuple[Tensor, float]:
    """``scaled_inv_freq`` on the CPU, cached per recipe (callers copy the tensor)."""
    return scaled_inv_freq(dim, base, scaling, device=torch.device("cpu"))


def rotate_half(x: Tensor) -> Tensor:
    """``[x1, x2] -> [-x2, x1]`` over the last dim (the HF pair layout)."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """Rotate the first ``cos.shape[-1]`` dims of ``x``; the rest pass through unchanged."""
    rot = cos.shape[-1]
    if rot == x.shape[-1]:
        # rotate_half first: autograd then adds the ``x * cos`` gradient first, whose layout
        # follows ``x``, so the backward pass needs no copy to undo the head transpose.
        rotated = rotate_half(x)
        return x * cos + rotated * sin
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    return torch.cat((x_rot * cos + rotate_half(x_rot) * sin, x_pass), dim=-1)


class RotaryPositionalEmbedding(PositionalEmbeddingBase):
    """Rotary positional embedding (RoFormer, arXiv:2104.09864), used inside attention.

    Dim pair ``(i, i + d/2)`` is rotated by ``position * base^(-2i/d)``. Attention layers
    call :meth:`rotate` on ``[B, H, N, hd]`` queries and keys; ``forward`` takes
    ``[B, N, H, hd]`` as the OLM API does. Positions are not limited to ``max_seq_len``
    (RoPE extrapolates); it is the reference length for scaling recipes.

    Args:
        head_dim (int): size of each attention head (even).
        max_seq_len (int): the longest sequence the model is meant for.
        base (float): RoPE theta (10000; Llama 3 uses 500000). Default: 10000.
        scaling (dict | None): optional Hugging Face style frequency scaling, e.g.
            ``{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}``;
            rope_type one of "default", "linear", "dynamic", "yarn", "llama3", "longrope"
            (or our "ntk"). Default: None (plain RoPE).
    """

    family = "embedding"

    def __init__(
        self,
        head_dim: int,
        max_seq_len: int,
        base: float = 10000,
        scaling: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._setup(head_dim, head_dim, max_seq_len, base, parse_hf_scaling(scaling, max_seq_len))

    # -- construction shared by the partial / scaled variants -------------------------
    def _setup(
        self, head_dim: int, rotary_dim: int, max_seq_len: int, base: float, scaling: RopeScaling
    ) -> None:
        require_positive("head_dim", head_dim)
        require_positive("max_seq_len", max_seq_len)
        if head_dim % 2:
            raise ConfigError(f"head_dim {head_dim} must be even for rotary embeddings")
        if rotary_dim % 2 or not 0 < rotary_dim <= head_dim:
            raise ConfigError(
                f"rotary_dim {rotary_dim} must be even and in (0, head_dim {head_dim}]"
            )
        if isinstance(base, bool) or not isinstance(base, (int, float)) or not base > 1:
            raise ConfigError(f"base must be a number greater than 1, got {base!r}")
        if scaling.kind in ("ntk", "dynamic_ntk") and rotary_dim <= 2:
            raise ConfigError(f"{scaling.kind} scaling needs rotary_dim > 2, got {rotary_dim}")
        if scaling.kind == "longrope" and len(scaling.short_factor) != rotary_dim // 2:
            raise ConfigError(
                f"rope_scaling short_factor/long_factor need {rotary_dim // 2} values "
                f"(rotary_dim / 2), got {len(scaling.short_factor)}"
            )
        self.head_dim = head_dim
        self.rotary_dim = rotary_dim
        self.max_seq_len = max_seq_len
        self.base = float(base)
        self.scaling = scaling
        inv_freq, self.attention_scaling = _construction_inv_freq(rotary_dim, self.base, scaling)
        # Non-persistent: derived from the arguments, never stored in checkpoints. Computed
        # once on the CPU per recipe, then placed on the default device (free on `meta`),
        # so a 126-layer model does not redo the scaling maths 126 times.
        self.register_buffer(
            "inv_freq", inv_freq.to(torch.get_default_device(), copy=True), persistent=False
        )

    def reset_parameters(self) -> None:
        """Recompute ``inv_freq`` in place (after ``to_empty`` from the meta device)."""
        inv_freq, _ = scaled_inv_freq(self.rotary_dim, self.base, self.scaling)
        with torch.no_grad():
            self.inv_freq.copy_(inv_freq.to(self.inv_freq.device))

    # -- cos / sin ---------------------------------------------------------------------
    def _inv_freq(self, device: torch.device, seq_len: int | None) -> Tensor:
        past_original = seq_len is not None and seq_len > self.scaling.original_max_seq_len
        if self.scaling.kind in LENGTH_DEPENDENT and past_original:
            # Frequencies for this length, like Hugging Face's per-call dynamic update.
            return scaled_inv_freq(self.rotary_dim, self.base, self.scaling, seq_len, device)[0]
        if self.inv_freq.dtype != torch.float32:
            # The model was cast to half precision: rebuild the frequencies in float32.
            return scaled_inv_freq(self.rotary_dim, self.base, self.scaling, None, device)[0]
        return self.inv_freq.to(device)

    def cos_sin(
        self, positions: Tensor, dtype: torch.dtype, seq_len: int | None = None
    ) -> tuple[Tensor, Tensor]:
        """cos and sin for ``positions`` (``[N]`` or ``[B, N]``), each ``[..., N, rotary_dim]``.

        ``seq_len`` (largest position + 1) is only needed by dynamic NTK and LongRoPE
        scaling; it is derived from ``positions`` when not given.
        """
        if self.scaling.kind in LENGTH_DEPENDENT and seq_len is None and positions.numel():
            seq_len = int(positions.max()) + 1
        freqs = positions[..., None].float() * self._inv_freq(positions.device, seq_len)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        if self.attention_scaling != 1.0:
            cos, sin = cos * self.attention_scaling, sin * self.attention_scaling
        return cos.to(dtype), sin.to(dtype)

    # -- applying ----------------------------------------------------------------------
    def rotate(self, x: Tensor, positions: Tensor, seq_len: int | None = None) -> Tensor:
        """Rotate ``x`` of shape ``[B, H, N, hd]`` for ``positions`` (``[N]`` or ``[B, N]``)."""
        cos, sin = self.cos_sin(positions, x.dtype, seq_len)
        if cos.dim() == 3:  # per-batch positions: [B, N, r] -> [B, 1, N, r]
            cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return apply_rotary(x, cos, sin)

    def rotate_qk(self, q: Tensor, k: Tensor, offset: int = 0) -> tuple[Tensor, Tensor]:
        """Rotate queries and keys (``[B, H, N, hd]``) at positions ``offset + arange(N)``."""
        n = q.shape[-2]
        cached = self._table_rows(offset, n, q.dtype, q.device)
        if cached is None:
            positions = torch.arange(offset, offset + n, device=q.device)
            cos, sin = self.cos_sin(positions, q.dtype, offset + n)
        else:
            cos, sin = cached
        return apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)

    def _table_rows(
        self, offset: int, n: int, dtype: torch.dtype, device: torch.device
    ) -> tuple[Tensor, Tensor] | None:
        """Rows ``offset : offset + n`` of a cos/sin table kept between calls, or None.

        Decoding asks for one new position per step and training for the same positions
        every step; a table grown by doubling (never ``max_seq_len``-sized up front)
        turns each call into two slices. The table is rebuilt whenever the frequencies
        could have changed (another tensor, an in-place write, another device or dtype)
        and is not used where the frequencies depend on the length, while tracing for
        ``torch.compile``, or on the meta device.
        """
        if (
            self.scaling.kind in LENGTH_DEPENDENT
            or device.type == "meta"
            or torch.compiler.is_compiling()
        ):
            return None
        inv = self.inv_freq
        key = (device, dtype, inv.device, inv.dtype, inv.data_ptr(), inv._version,
               torch.is_inference_mode_enabled())
        need = offset + n
        table = self.__dict__.get("_cos_sin_table")
        if table is None or table[0] != key or table[1].shape[-2] < need:
            old = table[1].shape[-2] if table is not None and table[0] == key else 0
            length = max(need, 2 * old, 64)
            cos, sin = self.cos_sin(torch.arange(length, device=device), dtype)
            table = self.__dict__["_cos_sin_table"] = (key, cos, sin)
        return table[1][offset:need], table[2][offset:need]

    def forward(
        self, x: Tensor, seq_positions: Tensor | None = None, kv_cache: Any = None
    ) -> Tensor:
        """Rotate ``x`` of shape ``[B, N, H, head_dim]``; returns the same shape."""
        if x.dim() != 4 or x.shape[-1] != self.head_dim:
            raise ValueError(
                f"{type(self).__name__} expects input of shape [batch, seq, heads, {self.head_dim}], "
                f"got {list(x.shape)}"
            )
        positions = positions_for(x.shape[1], seq_positions, kv_cache, x.device)
        return self.rotate(x.transpose(1, 2), positions).transpose(1, 2)

    def extra_repr(self) -> str:
        extra = "" if self.scaling.kind == "default" else f", scaling={self.scaling.kind}"
        part = "" if self.rotary_dim == self.head_dim else f", rotary_dim={self.rotary_dim}"
        return f"head_dim={self.head_dim}{part}, base={self.base:g}{extra}"
