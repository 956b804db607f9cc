"""`OutputHead`: final norm and projection to vocabulary logits, optionally tied."""

from __future__ import annotations

from typing import Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.errors import ConfigError
from olm.core.validation import check_optional_positive, check_positive_int
from olm.nn.norms import LayerNorm

__all__ = ["OutputHead"]


def _table_of(source: nn.Module | nn.Parameter) -> nn.Parameter:
    """The ``[vocab, D]`` weight of an olm ``Embedding``, an ``nn.Embedding`` or a Parameter."""
    if isinstance(source, nn.Parameter):
        return source
    inner = getattr(source, "embedding", None)
    if isinstance(inner, nn.Embedding):
        return inner.weight
    if isinstance(source, nn.Embedding):
        return source.weight
    raise ConfigError(
        "OutputHead tied_embedding must be an Embedding, an nn.Embedding or an nn.Parameter, "
        f"got {type(source).__name__}"
    )


def _check_table(table: Tensor, embed_dim: int, vocab_size: int) -> None:
    if table.dim() != 2:
        raise ConfigError(
            f"OutputHead tied_embedding weight must be 2-D [vocab_size, embedding dimension], "
            f"got shape {tuple(table.shape)}"
        )
    if table.shape[1] != embed_dim:
        raise ConfigError(
            f"OutputHead tied_embedding has embedding dimension {table.shape[1]}, "
            f"but embed_dim is {embed_dim}"
        )
    if table.shape[0] != vocab_size:
        raise ConfigError(
            f"OutputHead tied_embedding has vocabulary size {table.shape[0]}, "
            f"but vocab_size is {vocab_size}"
        )


class OutputHead(Component):
    """Hidden states ``[B, N, D]`` to logits ``[B, N, V]``: ``proj(norm(x))``, optionally capped.

    With ``tied_embedding`` (and ``tie_weights``) the logits reuse the embedding table:
    ``weight`` *is* the embedding's Parameter, so it is trained, saved and counted once.
    The head keeps only a reference to the embedding (not a submodule), so the embedding
    must live elsewhere in the same model, as it does in every preset.

    Args:
        embed_dim (int): model width ``D``.
        vocab_size (int): number of output logits ``V``.
        bias (bool): learn a bias per logit. Default: False.
        tied_embedding (Embedding | nn.Parameter | None): share this embedding's
            ``[V, D]`` table as the projection weight. Default: None.
        tie_weights (bool): actually tie when ``tied_embedding`` is given; False gives an
            own projection. Default: True.
        norm (nn.Module | None): the final norm; ``None`` means ``LayerNorm(embed_dim)``
            when ``use_norm``. Default: None.
        use_norm (bool): apply a final norm at all (False when the model already ends
            in one). Default: True.
        logit_softcap (float | None): if given, logits become ``tanh(l / c) * c``
            (Gemma 2 uses 30). Default: None.
    """

    family = "head"

    def __init__(
        self,
        embed_dim: int,
        vocab_size: int,
        bias: bool = False,
        tied_embedding: Union[nn.Module, nn.Parameter, None] = None,
        tie_weights: bool = True,
        norm: nn.Module | None = None,
        use_norm: bool = True,
        logit_softcap: float | None = None,
    ) -> None:
        super().__init__()
        self.embed_dim = check_positive_int("OutputHead", "embed_dim", embed_dim)
        self.vocab_size = check_positive_int("OutputHead", "vocab_size", vocab_size)
        self.logit_softcap = check_optional_positive("OutputHead", "logit_softcap", logit_softcap)
        if norm is not None and not use_norm:
            raise ConfigError(
                "OutputHead norm was given but use_norm is False; pass one or the other"
            )
        if norm is not None and not isinstance(norm, nn.Module):
            raise ConfigError(f"OutputHead norm must be an nn.Module, got {type(norm).__name__}")
        if norm is None:
            norm = LayerNorm(embed_dim) if use_norm else nn.Identity()
        self.norm = norm
        # A plain attribute, not a submodule: the embedding belongs to its own place in the
        # model; looking its weight up at call time keeps the tie through .to()/to_empty().
        self._tied_source: nn.Module | nn.Parameter | None = None
        if tied_embedding is not None and tie_weights:
            _check_table(_table_of(tied_embedding), embed_dim, vocab_size)
            object.__setattr__(self, "_tied_source", tied_embedding)
            self.proj = None
            self.bias = nn.Parameter(torch.zeros(vocab_size)) if bias else None
        else:
            self.proj = nn.Linear(embed_dim, vocab_size, bias=bias)
            self.bias = None

    @property
    def tied(self) -> bool:
        """Whether the projection is the embedding table."""
        return self._tied_source is not None

    @property
    def weight(self) -> nn.Parameter:
        """The ``[V, D]`` projection weight (the embedding's own Parameter when tied)."""
        if self._tied_source is not None:
            return _table_of(self._tied_source)
        return self.proj.weight

    @property
    def projection(self) -> nn.Linear | None:
        """The own ``Linear(D, V)``, or ``None`` when tied."""
        return self.proj

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 0 or x.shape[-1] != self.embed_dim:
            raise ValueError(
                f"OutputHead expects input of shape [..., {self.embed_dim}], got {tuple(x.shape)}"
            )
        h = self.norm(x)
        if self.proj is not None:
            logits = self.proj(h)  # [..., V]
        else:
            logits = F.linear(h, self.weight, self.bias)  # [..., V]
        if self.logit_softcap is not None:
            logits = torch.tanh(logits / self.logit_softcap) * self.logit_softcap
        return logits

    def extra_repr(self) -> str:
        tied = ", tied" if self.tied else ""
        cap = "" if self.logit_softcap is None else f", logit_softcap={self.logit_softcap:g}"
        return f"{self.embed_dim}, {self.vocab_size}{tied}{cap}"
