"""Limits of the web front end: answering slots shared by the page and the HTTP APIs, and a request
rate per logged-in user on ``/api`` and ``/v1``.

Answering is CPU-bound, so past a few concurrent asks more threads only make every answer
slower; a request that cannot get a slot in time is told the service is busy instead. The rate
limit is kept in Redis when ``ASSISTANT_REDIS_URL`` is set, so it holds across replicas.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import Busy
from ..settings import Settings
from ..storage.shared import Limiter, rate_limiter, secret_url
from ..telemetry.metrics import queue_changed

BUSY_MESSAGE = "The assistant is busy answering other questions; please try again in a moment."


class AskLimiter:
    """``slots`` questions answered at once; ``waiting`` is how many wait for a slot (the queue depth)."""

    def __init__(self, slots: int, on_wait: Callable[[int], None] | None = queue_changed) -> None:
        self.slots = slots
        self.waiting = 0
        self._semaphore = threading.BoundedSemaphore(slots)
        self._count = threading.Lock()
        self._on_wait = on_wait

    def _waiting(self, change: int) -> None:
        with self._count:
            self.waiting += change
        if self._on_wait is not None:
            self._on_wait(change)

    @contextmanager
    def slot(self, wait_s: float) -> Iterator[None]:
        self._waiting(1)
        try:
            acquired = self._semaphore.acquire(timeout=max(wait_s, 0.0))
        finally:
            self._waiting(-1)
        if not acquired:
            raise Busy(BUSY_MESSAGE)
        try:
            yield
        finally:
            self._semaphore.release()


def user_rate_limiter(settings: Settings) -> Limiter:
    """Requests per logged-in user on /api and /v1, over every replica when Redis is configured."""
    return rate_limiter(secret_url(settings.redis_url), "web-user", settings.web.user_rate_limit,
                        settings.web.rate_window_s)


def too_many_requests(seconds: int) -> str:
    return f"Too many requests; please wait {seconds} s before trying again."
