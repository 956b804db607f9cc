"""Calls from a lower layer into code above it, wired once by the package root.

Two things in the library need code that sits above them: ``Block.save`` (in ``olm.nn``)
writes a checkpoint, which needs ``olm.graph`` and ``olm.store``; ``open_pretrained`` (in
``olm.store``) opens Hugging Face folders and GGUF files, which ``olm.interop`` reads. A
lower layer must not import a higher one (import-linter and tests/test_import_cycles.py
check that), so the lower one asks here and ``olm/__init__.py``, which sits above every
layer, registers the callables. Nothing is imported until a callable is called, so this
module and the package root stay free of torch.
"""

from __future__ import annotations

from typing import Any, Callable

from olm.core.errors import OLMError

__all__ = ["set_block_writer", "block_writer", "set_reader", "reader"]

_block_writer: Callable[..., Any] | None = None
_readers: dict[str, Callable[..., Any]] = {}


def set_block_writer(write: Callable[..., Any]) -> None:
    """Register ``write(folder, block, tokenizer)``, what ``Block.save`` calls."""
    global _block_writer
    _block_writer = write


def block_writer() -> Callable[..., Any]:
    """The registered checkpoint writer.

    Raises:
        OLMError: none is registered (``olm`` was not imported as a package).
    """
    if _block_writer is None:
        raise OLMError("no checkpoint writer is registered: import olm (the package) first")
    return _block_writer


def set_reader(kind: str, read: Callable[..., Any]) -> None:
    """Register ``read(path, dtype=...)`` for a kind of pretrained file ("hf", "gguf")."""
    _readers[kind] = read


def reader(kind: str) -> Callable[..., Any]:
    """The registered reader of ``kind``.

    Raises:
        OLMError: none is registered for it.
    """
    if kind not in _readers:
        raise OLMError(f"no reader for {kind} files is registered: import olm (the package) "
                       "first")
    return _readers[kind]
