"""`KVCache`: keys and values kept between forwards for incremental decoding.

``cache = KVCache(); model(prompt, kv_cache=cache); model(next_ids, kv_cache=cache)``:
each attention layer asks ``cache.slot(self)`` for its own `KVSlot`, appends the new
keys/values and attends over everything so far. Positions continue from
``slot.length`` (RoPE) or ``cache.length`` (additive positional embeddings).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["KVCache", "KVSlot"]


class KVSlot:
    """The cached keys/values of one attention layer, ``[B, KV, L, hd]`` each.

    Storage grows by doubling, so decoding T tokens copies O(T) data rather than the
    O(T^2) of concatenating every step. ``key_mask`` remembers a padding mask (``[B, L]``
    bool) once one was given, so later calls need not repeat it.
    """

    def __init__(self) -> None:
        self._k: Tensor | None = None
        self._v: Tensor | None = None
        self._length = 0
        self.key_mask: Tensor | None = None

    @property
    def length(self) -> int:
        """Number of positions cached so far."""
        return self._length

    @property
    def keys(self) -> Tensor | None:
        """All cached keys, ``[B, KV, length, hd]`` (None before the first append)."""
        return None if self._k is None else self._k[:, :, : self._length]

    @property
    def values(self) -> Tensor | None:
        """All cached values, ``[B, KV, length, hd]`` (None before the first append)."""
        return None if self._v is None else self._v[:, :, : self._length]

    def _check(self, k: Tensor, v: Tensor) -> None:
        if k.dim() != 4 or v.shape[:-1] != k.shape[:-1]:
            raise ValueError(
                f"KVSlot.append expects k and v of shape [batch, kv_heads, seq, head_dim], "
                f"got {list(k.shape)} and {list(v.shape)}"
            )
        if self._k is not None and (
            k.shape[:2] != self._k.shape[:2]
            or k.shape[-1] != self._k.shape[-1]
            or v.shape[-1] != self._v.shape[-1]
        ):
            raise ValueError(
                f"KV cache holds [batch, kv_heads] = {list(self._k.shape[:2])} but got "
                f"{list(k.shape[:2])}; call cache.reset() before starting a new batch"
            )

    def append(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Add ``k, v`` (``[B, KV, N, hd]``) and return all cached ``(k, v)`` (``[B, KV, L, hd]``)."""
        self._check(k, v)
        new_len = self._length + k.shape[-2]
        if k.requires_grad or v.requires_grad:
            # Differentiable use (rare): plain concatenation keeps autograd's history intact.
            self._k = k if self._k is None else torch.cat((self.keys, k), dim=-2)
            self._v = v if self._v is None else torch.cat((self.values, v), dim=-2)
        else:
            self._grow(k, v, new_len)
            self._k[:, :, self._length : new_len] = k
            self._v[:, :, self._length : new_len] = v
        self._length = new_len
        return self.keys, self.values

    def _grow(self, k: Tensor, v: Tensor, needed: int) -> None:
        capacity = 0 if self._k is None else self._k.shape[-2]
        if needed <= capacity and self._k.dtype == k.dtype and self._k.device == k.device:
            return
        capacity = max(needed, 2 * capacity, 16)
        new_k = k.new_empty(*k.shape[:2], capacity, k.shape[-1])
        new_v = v.new_empty(*v.shape[:2], capacity, v.shape[-1])
        if self._length:
            new_k[:, :, : self._length] = self.keys
            new_v[:, :, : self._length] = self.values
        self._k, self._v = new_k, new_v


class KVCache:
    """Per-layer key/value caches for a whole model, keyed by the attention module.

    Attributes:
        length (int): tokens cached before the current forward (the shortest slot; 0 when
            empty), which is where new positions start.
    """

    def __init__(self) -> None:
        self._slots: dict[nn.Module, KVSlot] = {}

    def slot(self, module: nn.Module) -> KVSlot:
        """The `KVSlot` of ``module``, created empty on first use."""
        slot = self._slots.get(module)
        if slot is None:
            slot = self._slots[module] = KVSlot()
        return slot

    @property
    def length(self) -> int:
        return min((s.length for s in self._slots.values()), default=0)

    def reset(self) -> None:
        """Forget everything (start a new sequence)."""
        self._slots.clear()

    def __len__(self) -> int:
        return len(self._slots)

    def __repr__(self) -> str:
        return f"KVCache(layers={len(self._slots)}, length={self.length})"
