"""Rate limits and the seen-once cache, on a fake clock."""

from __future__ import annotations

import pytest

from assistant.storage.shared import RateLimiter, SeenCache

pytestmark = pytest.mark.slack


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_the_limit_then_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=2, window_s=60, clock=clock)
    assert limiter.hit("alice") is None
    clock.now += 10
    assert limiter.hit("alice") is None
    assert limiter.hit("alice") == 50
    assert limiter.hit("bob") is None
    clock.now += 50
    assert limiter.hit("alice") is None  # the first question left the window
    assert limiter.hit("alice") == 10


def test_refused_hits_do_not_count() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=1, window_s=60, clock=clock)
    limiter.hit("alice")
    for _ in range(5):
        clock.now += 10
        limiter.hit("alice")
    clock.now += 10
    assert limiter.hit("alice") is None


def test_rate_limiter_keeps_a_bounded_number_of_keys() -> None:
    limiter = RateLimiter(limit=1, window_s=60, clock=Clock(), max_keys=3)
    for user in "abcde":
        limiter.hit(user)
    assert limiter.hit("a") is None  # forgotten, so allowed again
    assert limiter.hit("e") == 60


def test_seen_cache_is_first_time_only_within_the_ttl() -> None:
    clock = Clock()
    seen = SeenCache(ttl_s=300, max_size=100, clock=clock)
    assert seen.first_time("Ev1") is True
    assert seen.first_time("Ev1") is False
    clock.now += 301
    assert seen.first_time("Ev1") is True


def test_seen_cache_is_bounded() -> None:
    seen = SeenCache(ttl_s=300, max_size=3, clock=Clock())
    for key in "abcd":
        seen.first_time(key)
    assert len(seen) == 3
    assert seen.first_time("a") is True
    assert seen.first_time("d") is False
