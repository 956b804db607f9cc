"""Attention masks: turning causal / window / padding / user masks into one keep-mask.

Conventions (docs/CONTRACTS.md): bool and integer masks are keep-masks (True/1 = attend);
float masks are additive (0 keeps, -inf blocks). A given mask is ANDed with the layer's
causal (and sliding-window) structure.
"""

from __future__ import annotations

import torch
from torch import Tensor

from olm.nn.attention.kv_cache import KVSlot

__all__ = ["attention_mask_to_bool", "build_attention_mask", "structure_mask"]


def attention_mask_to_bool(mask: Tensor, device: torch.device | None = None) -> Tensor:
    """A keep-mask as bool: bool unchanged, float ``mask >= 0``, integer ``mask != 0``."""
    if mask.dtype == torch.bool:
        out = mask
    elif mask.is_floating_point():
        out = mask >= 0
    else:
        out = mask != 0
    return out if device is None else out.to(device)


def structure_mask(
    q_len: int, k_len: int, offset: int, causal: bool, window: int | None, device: torch.device
) -> Tensor | None:
    """``[q, k]`` bool: query i (at position offset+i) may see key j.

    Causal: ``j <= offset + i``; window: ``offset + i - j < window``.
    """
    if not causal and window is None:
        return None
    q_pos = torch.arange(offset, offset + q_len, device=device)[:, None]
    k_pos = torch.arange(k_len, device=device)[None, :]
    keep = k_pos <= q_pos if causal else torch.ones(q_len, k_len, dtype=torch.bool, device=device)
    if window is not None:
        keep = keep & ((q_pos - k_pos) < window)
    return keep


def _padding_mask(mask: Tensor, batch: int, q_len: int, k_len: int, slot: KVSlot | None) -> Tensor:
    """A ``[B, L]`` padding mask over keys as ``[B, k_len]`` bool, remembered in the slot."""
    keep = attention_mask_to_bool(mask)
    if keep.shape[1] != k_len:  # covers only the new tokens: earlier keys come from the slot
        past = k_len - keep.shape[1]
        known = slot.key_mask if slot is not None and slot.key_mask is not None else None
        if known is None or known.shape[1] != past:
            known = torch.ones(batch, past, dtype=torch.bool, device=keep.device)
        keep = torch.cat((known.to(keep.device), keep), dim=1)
    if slot is not None:
        slot.key_mask = keep
    return keep


def _user_mask(mask: Tensor, batch: int, q_len: int, k_len: int, slot: KVSlot | None) -> Tensor:
    """Reshape a user mask to broadcast against ``[B, H, q, k]``."""
    if mask.dim() == 2 and mask.shape[0] == batch and mask.shape[1] in (k_len, q_len):
        return _padding_mask(mask, batch, q_len, k_len, slot)[:, None, None, :]
    if mask.dim() == 2 and tuple(mask.shape) == (q_len, k_len):
        return mask[None, None]
    if mask.dim() == 3 and tuple(mask.shape[1:]) == (q_len, k_len):
        return mask[:, None]
    if mask.dim() == 4 and tuple(mask.shape[2:]) == (q_len, k_len):
        return mask
    raise ValueError(
        f"mask of shape {list(mask.shape)} does not fit: expected [batch, {k_len}] or "
        f"[batch, {q_len}] (padding), [{q_len}, {k_len}], or [batch, 1 or heads, {q_len}, {k_len}]"
    )


def build_attention_mask(
    mask: Tensor | None,
    *,
    batch: int,
    q_len: int,
    k_len: int,
    offset: int,
    causal: bool,
    window: int | None = None,
    slot: KVSlot | None = None,
    device: torch.device | None = None,
) -> tuple[Tensor | None, bool]:
    """Combine everything into one mask for ``[B, H, q, k]`` scores.

    Returns:
        ``(mask, is_causal)``: ``(None, True)`` for plain causal attention with nothing
        else to apply (the fused-kernel path), ``(None, False)`` for no masking at all,
        else a broadcastable bool keep-mask or float additive mask and ``False``.
        Query rows that would see no key at all are opened to every key instead, so
        padded positions give finite (ignored) outputs rather than NaN.
    """
    if mask is None and slot is not None and slot.key_mask is not None:
        # A padding mask was given earlier in this sequence: keep applying it.
        mask = torch.ones(batch, q_len, dtype=torch.bool, device=device)
    if mask is None and window is None and (not causal or (offset == 0 and q_len == k_len)):
        return None, causal
    if mask is None and q_len == 1 and k_len == offset + 1 and (window is None or k_len <= window):
        # One new token (a decoding step) sees every cached key: nothing to mask, and no
        # per-step mask tensors to build.
        return None, False
    device = device if mask is None else mask.device
    keep = structure_mask(q_len, k_len, offset, causal, window, device)
    additive = None
    if mask is not None:
        user = _user_mask(mask, batch, q_len, k_len, slot)
        if user.is_floating_point():
            additive = user
        else:
            user = attention_mask_to_bool(user)
            keep = user if keep is None else keep & user
    if additive is None:
        if keep is None:
            return None, False
        return keep | ~keep.any(dim=-1, keepdim=True), False
    if keep is not None:
        additive = additive.masked_fill(~keep, float("-inf"))
    dead = torch.isneginf(additive).all(dim=-1, keepdim=True)
    return additive.masked_fill(dead, 0.0), False
