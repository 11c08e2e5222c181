"""State that replicas must share: rate limits, seen-once keys (Slack de-duplication) and locks.

In this process's memory by default (one replica); in Redis when ``ASSISTANT_REDIS_URL`` is set,
so that a Slack retry delivered to another replica is still a repeat, a user's rate limit counts
their requests on every replica, and one ingest runs at a time across replicas. Rate limits use
the ``limits`` library's moving window on Redis (whole seconds). When Redis cannot be reached,
limits and de-duplication let the request through (logged): a missed limit is better than a
refused question; the ingest lock fails instead, with a one-line ``RedisDown``. Nothing needs a
restart when Redis is back: the client opens a new connection at the next command.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import RedisDown

if TYPE_CHECKING:  # redis takes a third of a second to import; only a replicated deployment needs it
    import redis

log = logging.getLogger(__name__)
PREFIX = "assistant"
_SOCKET_TIMEOUT_S = 2.0
_LOCK_LEASE_S = 60.0


class Limiter(Protocol):
    def hit(self, key: str) -> int | None:
        """Count one event for ``key``; ``None`` when allowed, else whole seconds until it would be."""


class SeenOnce(Protocol):
    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered within the TTL, False for repeats."""


# -- in this process ---------------------------------------------------------------------------
class RateLimiter:
    """At most ``limit`` events per ``window_s`` seconds for each key (a sliding window, in memory)."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
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


# -- in Redis ----------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def redis_client(url: str) -> redis.Redis:
    """One client (and connection pool) per URL for the whole process."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=_SOCKET_TIMEOUT_S, socket_connect_timeout=_SOCKET_TIMEOUT_S,
                                health_check_interval=30)


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}:{parts.port or 6379}{parts.path}"


def redis_down(url: str) -> RedisDown:
    return RedisDown(f"Redis at {describe(url)} is not reachable: check ASSISTANT_REDIS_URL.")


def redis_reachable(url: str) -> bool:
    """One PING; the client connects again by itself, so this also tells when Redis is back."""
    from redis.exceptions import RedisError

    try:
        return bool(redis_client(url).ping())
    except RedisError:
        return False


class RedisRateLimiter:
    """The ``limits`` library's moving window in Redis: every replica counts against one window."""

    def __init__(self, url: str, name: str, limit: int, window_s: float) -> None:
        from limits import RateLimitItemPerSecond
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.name = name
        self.url = url
        self.item = RateLimitItemPerSecond(limit, max(1, math.ceil(window_s)), namespace=PREFIX)
        self._limiter = MovingWindowRateLimiter(storage_from_string(
            url, socket_timeout=_SOCKET_TIMEOUT_S, socket_connect_timeout=_SOCKET_TIMEOUT_S))

    def hit(self, key: str) -> int | None:
        try:
            if self._limiter.hit(self.item, self.name, key):
                return None
            reset = self._limiter.get_window_stats(self.item, self.name, key).reset_time
        except Exception as error:  # Redis down: let the request through rather than refuse everyone
            log.warning("rate limit %s not checked: Redis at %s failed (%s)", self.name, describe(self.url),
                        error.__class__.__name__)
            return None
        return max(1, math.ceil(reset - time.time()))


class RedisSeenOnce:
    """``SET key NX EX ttl``: the first replica to offer a key wins, for ``ttl_s`` seconds."""

    def __init__(self, url: str, name: str, ttl_s: float) -> None:
        self.url = url
        self.name = name
        self.ttl_s = max(1, math.ceil(ttl_s))

    def first_time(self, key: str) -> bool:
        try:
            return bool(redis_client(self.url).set(f"{PREFIX}:seen:{self.name}:{key}", 1, nx=True, ex=self.ttl_s))
        except Exception as error:  # Redis down: answering twice is better than not answering
            log.warning("%s %s not de-duplicated: Redis at %s failed (%s)", self.name, key, describe(self.url),
                        error.__class__.__name__)
            return True


# -- factories ---------------------------------------------------------------------------------
def rate_limiter(redis_url: str | None, name: str, limit: int, window_s: float) -> Limiter:
    """A limiter shared through Redis when ``redis_url`` is given, else in this process."""
    return RedisRateLimiter(redis_url, name, limit, window_s) if redis_url else RateLimiter(limit, window_s)


def seen_once(redis_url: str | None, name: str, ttl_s: float = 3600.0) -> SeenOnce:
    return RedisSeenOnce(redis_url, name, ttl_s) if redis_url else SeenCache(ttl_s=ttl_s)


@contextmanager
def redis_lock(url: str, name: str, lease_s: float = _LOCK_LEASE_S) -> Iterator[None]:
    """Hold the lock ``name`` across every process using this Redis; waits as long as it takes.

    The lock has a lease, renewed while the block runs, so a replica killed while holding it
    frees it after ``lease_s`` seconds instead of blocking every later ingest.
    """
    from redis.exceptions import LockError, RedisError

    lock = redis_client(url).lock(f"{PREFIX}:lock:{name}", timeout=lease_s, thread_local=False)
    try:
        lock.acquire(blocking=True)
    except RedisError as error:
        raise redis_down(url) from error
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease_s / 3):
            try:
                lock.extend(lease_s, replace_ttl=True)
            except (LockError, RedisError) as error:
                log.error("could not renew the lock %s (%s)", name, error.__class__.__name__)

    renewer = threading.Thread(target=renew, name=f"lock-{name}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        try:
            lock.release()
        except (LockError, RedisError) as error:
            log.warning("the lock %s was lost before it was released (%s)", name, error.__class__.__name__)


def secret_url(value: Any) -> str | None:
    """The plain URL of a ``SecretStr`` setting, or None when it is empty."""
    if value is None:
        return None
    text = str(value.get_secret_value()).strip()
    return text or None
