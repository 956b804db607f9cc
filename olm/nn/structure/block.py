"""`Block`: the sequential container every model is built from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from torch import Tensor, nn

from olm.core.capture import Component
from olm.core.hooks import block_writer
from olm.nn.structure.combinators.base import _forward_module

__all__ = ["Block", "Pipeline"]


class Block(Component):
    """Runs its children in order: ``Block([a, b, c])(x) == c(b(a(x)))``.

    Keyword arguments given to ``forward`` (``mask=``, ``kv_cache=``) reach every child
    whose ``forward`` declares them.

    Args:
        blocks (Iterable[nn.Module]): the children, in order. Blocks nest.
    """

    family = "structure"

    def __init__(self, blocks: Iterable[nn.Module]) -> None:
        super().__init__()
        blocks = list(blocks)
        for i, b in enumerate(blocks):
            if not isinstance(b, nn.Module):
                raise TypeError(
                    f"Block child {i} must be an nn.Module, got {type(b).__name__}"
                )
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x: Tensor, **kwargs: Any) -> Tensor:
        for block in self.blocks:
            x = _forward_module(block, x, **kwargs)
        return x

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, index: int) -> nn.Module:
        return self.blocks[index]

    def save(self, path: str | os.PathLike, tokenizer: Any = None) -> None:
        """Save weights and architecture to a checkpoint folder (no pickle).

        The folder is created if missing and reused if it exists; read it back with
        ``olm.store.checkpoint.load(path)``.

        Args:
            path (str | os.PathLike): the folder.
            tokenizer (Any): anything with ``save(directory)``, stored in ``tokenizer/``.

        Raises:
            NotADirectoryError: ``path`` is an existing file.
            OLMError: the model contains parts that cannot be described as a document.
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder} is a file; Block.save needs a folder")
        block_writer()(folder, self, tokenizer)


class Pipeline(Block):
    """A top-level `Block` that may not contain another `Pipeline`."""

    family = None

    def __init__(self, blocks: Iterable[nn.Module]) -> None:
        blocks = list(blocks)
        for b in blocks:
            if any(isinstance(m, Pipeline) for m in b.modules()):
                raise ValueError("Pipeline blocks may not contain another Pipeline")
        super().__init__(blocks)
