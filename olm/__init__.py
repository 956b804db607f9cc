"""olm: interchangeable language-model parts in plain PyTorch.

`olm` never imports Qt; the desktop app `olm_studio` sits on top of it.

This file sits above every layer, so it is where the two upward calls are wired
(:mod:`olm.core.hooks`): ``Block.save`` writes through :mod:`olm.store.checkpoint`, and
``open_pretrained`` reads Hugging Face folders and GGUF files through :mod:`olm.interop`.
Each is imported only when called, so ``import olm`` stays free of torch.
"""

from typing import Any as _Any

from olm.core import hooks as _hooks

__version__ = "0.1.0"


def _write_block(folder: _Any, block: _Any, tokenizer: _Any = None) -> None:
    from olm.store.checkpoint import save

    save(folder, block, tokenizer=tokenizer, replace=False, require_document=True)


def _read_hf(path: _Any, dtype: _Any = None) -> _Any:
    from olm.interop.hf import read_hf

    return read_hf(path, dtype=dtype)


def _read_gguf(path: _Any, dtype: _Any = None) -> _Any:
    from olm.interop.gguf import read_gguf

    return read_gguf(path, dtype=dtype)


_hooks.set_block_writer(_write_block)
_hooks.set_reader("hf", _read_hf)
_hooks.set_reader("gguf", _read_gguf)
