"""A GGUF file's lengths and counts checked against its size before anything trusts them.

A GGUF file states how many keys and tensors it has, how long each string and array is,
and where each tensor's data lies. A reader that believes those numbers can be made to
loop 2**64 times, to allocate a list of 2**60 items or to map bytes past the end of the
file. :func:`check_layout` walks the header once with bounded loops, checking every count
and length against the bytes that remain, every tensor against the 4 dimensions ggml
allows and its data against the end of the file, and raises one
:class:`~olm.core.errors.FileFormatError` naming the place. Only then does the ``gguf``
package's reader open the file.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

from olm.core.errors import FileFormatError

__all__ = ["check_layout", "MAX_TENSORS", "MAX_KEYS"]

#: Tensors in one GGUF file (a 405B model has about 1,140).
MAX_TENSORS = 100_000
#: Metadata keys in one GGUF file (real ones have a few dozen).
MAX_KEYS = 10_000
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MAX_NESTING = 4
# value type → size in bytes (8: string, 9: array are variable).
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9


class _Cursor:
    def __init__(self, data: mmap.mmap | bytes, path: Path) -> None:
        self.data, self.path, self.pos = data, path, 0

    def fail(self, what: str) -> FileFormatError:
        return FileFormatError(f"{self.path}: not a readable GGUF file: {what} "
                               f"(at byte {self.pos:,})")

    def left(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int, what: str) -> bytes:
        if n > self.left():
            raise self.fail(f"{what} needs {n:,} bytes, but the file has {self.left():,} left")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def skip(self, n: int, what: str) -> None:
        if n > self.left():
            raise self.fail(f"{what} needs {n:,} bytes, but the file has {self.left():,} left")
        self.pos += n

    def u32(self, what: str) -> int:
        return struct.unpack("<I", self.take(4, what))[0]

    def u64(self, what: str) -> int:
        return struct.unpack("<Q", self.take(8, what))[0]

    def string(self, what: str) -> bytes:
        return self.take(self.u64(f"the length of {what}"), what)


def _value(cur: _Cursor, kind: int, what: str, depth: int = 0) -> int | None:
    """Skip one value of type ``kind``; returns an integer value (for general.alignment)."""
    if kind in _FIXED:
        raw = cur.take(_FIXED[kind], what)
        return int.from_bytes(raw, "little") if kind in (4, 10) else None
    if kind == _STRING:
        cur.skip(cur.u64(f"the length of {what}"), what)
        return None
    if kind != _ARRAY:
        raise cur.fail(f"{what} has unknown value type {kind}")
    if depth >= _MAX_NESTING:
        raise cur.fail(f"{what} nests arrays more than {_MAX_NESTING} deep")
    item = cur.u32(f"the item type of {what}")
    count = cur.u64(f"the length of {what}")
    least = _FIXED.get(item, 8 if item == _STRING else 12)  # bytes each item needs at least
    if count * least > cur.left():
        raise cur.fail(f"{what} claims {count:,} items, more than the file's "
                       f"{cur.left():,} remaining bytes can hold")
    if item in _FIXED:
        cur.skip(count * _FIXED[item], what)
        return None
    for _ in range(count):  # bounded: count items of at least 8 bytes each fit in the file
        _value(cur, item, what, depth + 1)
    return None


def _walk(cur: _Cursor, size: int, block_sizes: dict[int, tuple[int, int]]) -> None:
    if cur.take(4, "the magic number") != b"GGUF":
        raise cur.fail("it does not start with 'GGUF'")
    version = cur.u32("the version")
    if version not in (2, 3):
        raise cur.fail(f"version {version} is not one olm reads (2, 3; little-endian)")
    tensors, keys = cur.u64("the tensor count"), cur.u64("the key count")
    if tensors > MAX_TENSORS or keys > MAX_KEYS:
        raise cur.fail(f"it claims {tensors:,} tensors and {keys:,} keys; at most "
                       f"{MAX_TENSORS:,} and {MAX_KEYS:,} are allowed")
    alignment = 32
    for _ in range(keys):
        name = cur.string("a metadata key").decode("utf-8", "replace")
        value = _value(cur, cur.u32(f"the type of {name!r}"), f"metadata {name!r}")
        if name == "general.alignment":
            if not value or value & (value - 1) or value > 1 << 20:
                raise cur.fail(f"general.alignment {value!r} is not a power of two up to 2**20")
            alignment = value
    spans = []
    for _ in range(tensors):
        name = cur.string("a tensor name").decode("utf-8", "replace")
        n_dims = cur.u32(f"the dimension count of tensor {name!r}")
        if not 1 <= n_dims <= _MAX_DIMS:
            raise cur.fail(f"tensor {name!r} has {n_dims} dimensions; 1 to {_MAX_DIMS} allowed")
        dims = [cur.u64(f"a dimension of tensor {name!r}") for _ in range(n_dims)]
        kind, offset = cur.u32(f"the type of {name!r}"), cur.u64(f"the offset of {name!r}")
        if kind not in block_sizes:
            raise cur.fail(f"tensor {name!r} has unknown type {kind}")
        block, type_size = block_sizes[kind]
        count = 1
        for d in dims:
            count *= d
        if min(dims) < 1 or count % block:
            raise cur.fail(f"tensor {name!r} has shape {dims}, which type {kind} cannot store")
        spans.append((name, offset, count // block * type_size))
    start = -(-cur.pos // alignment) * alignment
    for name, offset, nbytes in spans:
        if start + offset + nbytes > size:
            raise cur.fail(f"tensor {name!r} ends past the end of the file "
                           f"({start + offset + nbytes:,} > {size:,} bytes)")


def check_layout(path: Path, block_sizes: dict[int, tuple[int, int]]) -> None:
    """Check every count, length and tensor span of GGUF file ``path`` against its size.

    Args:
        path: the ``.gguf`` file.
        block_sizes: ggml type id → (values per block, bytes per block), from ``gguf``.

    Raises:
        FileFormatError: naming the first count, length or tensor that does not fit.
    """
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            if size == 0:
                raise FileFormatError(f"{path}: not a readable GGUF file: it is empty")
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                _walk(_Cursor(data, path), size, block_sizes)
    except OSError as err:
        raise FileFormatError(f"{path}: cannot be read ({err.strerror or err})") from None
