"""Errors meant for the user: one clear sentence naming the thing and the rule."""

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["OLMError", "ConfigError", "FileFormatError", "native_errors"]


class OLMError(Exception):
    """An error the user can act on. The CLI and the Studio show its message as is."""


class ConfigError(OLMError, ValueError):
    """A hyperparameter or setting breaks a rule ("embed_dim 1000 is not divisible by ...")."""


class FileFormatError(OLMError):
    """A file could not be read: names the file, the place and the reason."""


@contextmanager
def native_errors(what: str) -> Iterator[None]:
    """Turn any failure inside a native library into one `FileFormatError` line.

    Rust libraries (``tokenizers``, ``safetensors``) report a broken input with a
    ``pyo3_runtime.PanicException``, which derives from ``BaseException`` and so escapes
    ``except Exception`` with a full traceback. Code that hands data from a file to such a
    library wraps the call in this; ``OLMError`` and interrupts pass through unchanged.

    Args:
        what: the start of the message (``"x.gguf: the tokenizer cannot be built"``).
    """
    try:
        yield
    except (OLMError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as err:  # noqa: BLE001 - a PanicException is a BaseException
        detail = (str(err).strip().splitlines() or [""])[0][:300]
        raise FileFormatError(f"{what} ({type(err).__name__}: {detail})") from None
