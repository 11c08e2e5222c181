"""One reader per process, loaded on first use (torch and the weights cost a second or two), shared by
every request; ``Assistant.warm_up`` loads it ahead of the first question."""

from __future__ import annotations

import threading

from .model import Reader

_LOCK = threading.Lock()
_READER: Reader | None = None


def shared_reader() -> Reader:
    global _READER
    if _READER is None:
        with _LOCK:
            if _READER is None:
                _READER = Reader()
    return _READER
