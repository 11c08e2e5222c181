"""Flat arrays a process can memory-map: strings as one UTF-8 blob plus offsets, saved as ``.npy``.

A table of a million strings costs two arrays, not a million Python objects: a string is decoded
only when asked for, and a sorted table is searched by bisection over the mapped bytes.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np

# ``find`` bisects first over every ``_STRIDE``-th string of the table, decoded once into a list (C
# bisection, no per-step slicing of the mapping), then over the few rows between two of them:
# 1 MB of RAM per 100,000 strings, built at the first ``find``.
_STRIDE = 8


class StringTable(Sequence[str]):
    """Strings ``i`` = ``blob[offsets[i]:offsets[i + 1]]`` decoded; ``find`` needs a sorted table."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self.blob, self.offsets = blob, offsets
        self._bytes = blob.data  # a memoryview: slicing it is cheaper than slicing the array
        self._every: list[bytes] | None = None  # every ``_STRIDE``-th string, for ``find``

    @classmethod
    def of(cls, strings: Iterable[str]) -> StringTable:
        encoded = [s.encode() for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, index: int) -> bytes:
        return self._bytes[self.offsets[index]:self.offsets[index + 1]].tobytes()

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.raw(index).decode()

    def __iter__(self) -> Iterator[str]:
        for index in range(len(self)):
            yield self.raw(index).decode()

    def find(self, key: str) -> int:
        """The index of ``key`` in a table sorted by UTF-8 bytes (= code point order), or -1."""
        if self._every is None:
            starts = self.offsets[:-1:_STRIDE].tolist()
            ends = self.offsets[1::_STRIDE].tolist()
            self._every = [self._bytes[start:end].tobytes() for start, end in zip(starts, ends, strict=True)]
        target = key.encode()
        # The last sampled string <= target bounds the block; bisect within it.
        block = bisect.bisect_right(self._every, target) - 1
        if block < 0:
            return -1
        low = block * _STRIDE
        if self._every[block] == target:
            return low
        low, high = low + 1, min(low + _STRIDE, len(self))
        while low < high:
            middle = (low + high) // 2
            if self.raw(middle) < target:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self) and self.raw(low) == target else -1


# A trailing element after every saved array: numpy cannot memory-map an array of length zero (an
# empty blob, a corpus without postings), and the padding costs one element.
_PAD = 1


def save_array(path: Path, array: np.ndarray) -> None:
    padded = np.concatenate([array, np.zeros((_PAD, *array.shape[1:]), dtype=array.dtype)])
    with path.open("wb") as handle:
        np.save(handle, padded, allow_pickle=False)


def load_array(path: Path) -> np.ndarray:
    """The array saved by ``save_array``, memory-mapped read-only (pages are read when touched)."""
    mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    if mapped.shape[0] < _PAD:
        raise ValueError(f"{path.name}: not a padded array")
    # A plain ndarray over the mapping (its ``base``): ``np.memmap``'s own indexing costs a few
    # microseconds per call, which a term lookup pays a dozen times.
    return np.asarray(mapped)[:-_PAD]
