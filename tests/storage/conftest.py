"""A store on each database: the SQLite file, and a fresh database on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.storage.feedback import FeedbackStore
from tests.servers import PostgresServer, postgres_server, redis_service

__all__ = ["postgres_server", "redis_service"]

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def store(database: str) -> Iterator[FeedbackStore]:
    opened = FeedbackStore(database, {"embedding_model": "use-multilingual"})
    yield opened
    opened.close()
