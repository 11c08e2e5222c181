"""The start-up check and the health status of the shared servers, against addresses nobody listens on.

Real servers going down and coming back under a running replica: tests/replicas/test_outages.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.errors import ChromaDown, DatabaseDown, IndexUnavailable, RedisDown, ServerDown
from assistant.settings import Settings
from assistant.storage import servers
from assistant.storage.feedback import FeedbackStore
from tests.servers import free_port
from tests.support import make_settings


def dead_settings(tmp_path: Path) -> tuple[Settings, dict[str, int]]:
    ports = {"database": free_port(), "redis": free_port(), "chroma": free_port()}
    return make_settings(
        tmp_path, database_url=SecretStr(f"postgresql://app:pw-123456@127.0.0.1:{ports['database']}/assistant"),
        redis_url=SecretStr(f"redis://:pw-123456@127.0.0.1:{ports['redis']}/0"),
        chroma_host="127.0.0.1", chroma_port=ports["chroma"]), ports


def test_only_the_servers_the_settings_name_are_checked(tmp_path: Path) -> None:
    alone = make_settings(tmp_path)
    assert servers.configured(alone) == [] and servers.status(alone) == {}
    servers.require(alone)  # one process on its own files: nothing to reach
    settings, _ = dead_settings(tmp_path)
    assert servers.configured(settings) == ["database", "redis", "chroma"]


def test_each_dead_server_gets_its_sentence_and_its_error(tmp_path: Path) -> None:
    settings, ports = dead_settings(tmp_path)
    with pytest.raises(DatabaseDown) as database:
        servers.require(settings)  # the first named, first
    assert str(database.value) == (f"The database at postgresql://app:***@127.0.0.1:{ports['database']}/assistant "
                                   "is not reachable: check ASSISTANT_DATABASE_URL.")
    with pytest.raises(RedisDown) as redis:
        servers.require(settings, "redis")
    assert str(redis.value) == (f"Redis at redis://127.0.0.1:{ports['redis']}/0 is not reachable: "
                                "check ASSISTANT_REDIS_URL.")
    with pytest.raises(ChromaDown) as chroma:
        servers.require(settings, "chroma")
    assert str(chroma.value) == (f"The Chroma server at http://127.0.0.1:{ports['chroma']} is not reachable: "
                                 "check CHROMA_HOST and CHROMA_PORT.")
    for error in (database.value, redis.value, chroma.value):
        assert isinstance(error, ServerDown) and "\n" not in str(error) and "pw-123456" not in str(error)
        assert "127.0.0.1" not in error.public and error.public.endswith("please try again in a few minutes.")
    assert isinstance(chroma.value, IndexUnavailable)  # every front end already says an index error plainly


def test_the_health_status_names_each_server_down(tmp_path: Path) -> None:
    settings, _ = dead_settings(tmp_path)
    assert servers.status(settings) == {"database": "down", "redis": "down", "chroma": "down"}


def test_a_store_on_a_dead_database_raises_database_down(tmp_path: Path) -> None:
    settings, ports = dead_settings(tmp_path)
    with pytest.raises(DatabaseDown, match=rf"127\.0\.0\.1:{ports['database']}/assistant is not reachable"):
        FeedbackStore.for_settings(settings)
