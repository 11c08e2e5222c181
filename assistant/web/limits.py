"""One cap on questions answered at once, shared by the page and the HTTP APIs.

Answering is CPU-bound, so past a few concurrent asks more threads only make every answer
slower; a request that cannot get a slot in time is told the service is busy instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import Busy

BUSY_MESSAGE = "The assistant is busy answering other questions; please try again in a moment."


class AskLimiter:
    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self, wait_s: float) -> Iterator[None]:
        if not self._semaphore.acquire(timeout=max(wait_s, 0.0)):
            raise Busy(BUSY_MESSAGE)
        try:
            yield
        finally:
            self._semaphore.release()
