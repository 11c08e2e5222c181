"""State shared by replicas in a real Redis: rate limits, seen-once keys, the ingest lock; and without Redis."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.errors import IndexUnavailable
from assistant.index.embeddings import load_embeddings
from assistant.index.store import IndexStore
from assistant.slack.limits import SlackLimits
from assistant.storage.shared import RateLimiter, RedisRateLimiter, RedisSeenOnce, SeenCache, redis_lock
from tests.servers import RedisServer, free_port
from tests.support import make_settings

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url(redis_service: RedisServer) -> str:
    redis_service.flush()
    return redis_service.url()


def test_two_replicas_count_against_one_rate_limit(redis_url: str) -> None:
    first, second = (RedisRateLimiter(redis_url, "test", limit=3, window_s=2) for _ in range(2))
    assert [first.hit("alice"), second.hit("alice"), first.hit("alice")] == [None, None, None]
    wait = second.hit("alice")
    assert wait is not None and 1 <= wait <= 2
    assert first.hit("bob") is None  # per key
    time.sleep(2.1)
    assert second.hit("alice") is None  # the window moved on


def test_a_retry_seen_by_one_replica_is_a_repeat_on_the_other(redis_url: str) -> None:
    first, second = RedisSeenOnce(redis_url, "event", ttl_s=1), RedisSeenOnce(redis_url, "event", ttl_s=1)
    assert first.first_time("Ev1") is True
    assert second.first_time("Ev1") is False and first.first_time("Ev1") is False
    assert second.first_time("Ev2") is True
    time.sleep(1.5)
    assert second.first_time("Ev1") is True  # forgotten after the TTL


def test_the_slack_bookkeeping_goes_to_redis_when_configured(redis_url: str, tmp_path: Path) -> None:
    shared = [SlackLimits.from_settings(make_settings(tmp_path, redis_url=redis_url, slack_user_rate_limit=1))
              for _ in range(2)]
    assert shared[0].events.first_time("Ev9") and not shared[1].events.first_time("Ev9")
    assert shared[0].users.hit("U1") is None and shared[1].users.hit("U1") is not None
    alone = SlackLimits.from_settings(make_settings(tmp_path))
    assert isinstance(alone.events, SeenCache) and isinstance(alone.users, RateLimiter)


def test_with_redis_down_requests_go_through(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    assert RedisRateLimiter(url, "down", limit=1, window_s=60).hit("alice") is None
    assert RedisSeenOnce(url, "down", ttl_s=60).first_time("Ev1") is True
    with pytest.raises(IndexUnavailable, match=r"Redis at redis://127\.0\.0\.1:\d+/0 is not reachable"), \
            redis_lock(url, "down"):
        pass


def test_the_lock_is_held_by_one_holder_at_a_time_and_renewed(redis_url: str) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    def hold(number: int) -> None:
        with redis_lock(redis_url, "exclusive", lease_s=0.6):
            inside.append(number)
            if len(inside) > 1:
                overlaps.append(number)
            time.sleep(1.0)  # longer than the lease: the renewal keeps it
            inside.remove(number)

    threads = [threading.Thread(target=hold, args=(n,)) for n in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [] and time.monotonic() - started >= 3.0


def test_ingests_of_one_index_wait_for_each_other_through_redis(redis_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, redis_url=redis_url, embedding_model="use-multilingual")
    embeddings = load_embeddings(settings.answer.embedding_model)
    stores = [IndexStore(settings, embeddings), IndexStore(settings.with_changes(index_dir=tmp_path / "other"),
                                                           embeddings)]
    order: list[str] = []

    def ingest(store: IndexStore, name: str) -> None:
        with store.ingest_lock():
            order.append(f"{name} in")
            time.sleep(0.5)
            order.append(f"{name} out")

    threads = [threading.Thread(target=ingest, args=(store, str(n))) for n, store in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order in (["0 in", "0 out", "1 in", "1 out"], ["1 in", "1 out", "0 in", "0 out"])
    assert not (tmp_path / "index" / ".ingest.lock").exists()  # Redis, not the file lock
