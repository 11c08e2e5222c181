"""Thread-safe bookkeeping for the bot: sliding-window rate limits and a bounded seen-once cache."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    """At most ``limit`` events per ``window_s`` seconds for each key."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count one event for ``key``; ``None`` when allowed, else whole seconds until it would be."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            self._events.move_to_end(key)
            while events and now - events[0] >= self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, math.ceil(self.window_s - (now - events[0])))
            events.append(now)
            while len(self._events) > self._max_keys:
                self._events.popitem(last=False)
            return None


class SeenCache:
    """Remembers keys for ``ttl_s`` seconds, keeping at most ``max_size``; first sight wins."""

    def __init__(self, ttl_s: float = 3600.0, max_size: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered within the TTL, False for repeats."""
        now = self._clock()
        with self._lock:
            while self._seen and now - next(iter(self._seen.values())) >= self.ttl_s:
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            while len(self._seen) > self.max_size:
                self._seen.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._seen)
