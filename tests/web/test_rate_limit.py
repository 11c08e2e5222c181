"""A request rate per logged-in user on /api and /v1: in one process, and across two servers through Redis."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from tests.servers import RedisServer, redis_service
from tests.support import hashed_users
from tests.web.conftest import serve, web_settings

__all__ = ["redis_service"]
pytestmark = pytest.mark.ui

USERS = "alice:alice-pw-1,bob:bob-pw-2"


def limited(tmp_path: Path, corpus_settings: Settings, **overrides: object) -> Settings:
    return web_settings(tmp_path, corpus_settings.index_dir, web_users=hashed_users(USERS), web_user_rate_limit=3,
                        web_rate_window_s=30, **overrides)


def test_a_user_over_the_rate_gets_429_with_retry_after(tmp_path: Path, corpus_settings: Settings,
                                                        assistant: Assistant) -> None:
    with serve(limited(tmp_path, corpus_settings), assistant) as server, \
            httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
        alice, bob = ("alice", "alice-pw-1"), ("bob", "bob-pw-2")
        assert [http.get("/v1/models", auth=alice).status_code for _ in range(3)] == [200, 200, 200]
        refused = http.post("/api/feedback", auth=alice, json={"rating": 1, "question": "q", "answer": "a"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 30 and "Too many requests" in refused.json()["error"]
        over = http.post("/v1/chat/completions", auth=alice, json={"messages": [{"role": "user", "content": "q"}]})
        assert over.status_code == 429 and over.json()["error"]["message"].startswith("Too many requests")
        assert http.get("/v1/models", auth=bob).status_code == 200  # per user
        assert http.get("/api/health").status_code == 200  # not a logged-in request
        assert http.get("/v1/models", auth=("alice", "wrong")).status_code == 401  # login first


@pytest.mark.redis
def test_the_rate_holds_across_two_servers_through_redis(tmp_path: Path, corpus_settings: Settings,
                                                         assistant: Assistant, redis_service: RedisServer) -> None:
    redis_service.flush()
    settings = [limited(tmp_path / name, corpus_settings, redis_url=redis_service.url()) for name in ("a", "b")]
    with serve(settings[0], assistant) as first, serve(settings[1], assistant) as second, \
            httpx.Client(trust_env=False, timeout=60) as http:
        alice = ("alice", "alice-pw-1")
        codes = [http.get(f"{url}/v1/models", auth=alice).status_code
                 for url in (first.url, second.url, first.url, second.url)]
        assert codes == [200, 200, 200, 429]
