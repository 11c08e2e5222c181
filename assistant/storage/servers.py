"""The shared servers of a replicated deployment, checked in one place: PostgreSQL, Redis, Chroma.

``require`` is the start-up check of every front end (``assistant serve``, ``assistant slack`` and
the CLI's commands): the first configured server that does not answer raises its ``ServerDown``,
whose message is one sentence naming the server, its address (password masked) and the setting to
check. ``status`` is what the health endpoint reports for each of them. Mid-run the same errors
come from where each server is used (the database engine's error hook, the Redis lock, the index
store), and nothing needs a restart when a server is back: the database pool pings a connection
before lending it, and the Redis and Chroma clients connect again at their next request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..errors import ChromaDown, ServerDown
from ..settings import Settings
from .shared import redis_down, redis_reachable, secret_url

if TYPE_CHECKING:  # SQLAlchemy (with Alembic) and httpx are imported by the checks that use them:
    # a start with no shared server configured imports neither
    from sqlalchemy.engine import Engine

ServerName = Literal["database", "redis", "chroma"]
SERVERS: tuple[ServerName, ...] = ("database", "redis", "chroma")
_CHROMA_TIMEOUT_S = 5.0


def chroma_down(settings: Settings) -> ChromaDown:
    return ChromaDown(f"The Chroma server at {settings.chroma_mode()} is not reachable: "
                      "check CHROMA_HOST and CHROMA_PORT.")


def configured(settings: Settings) -> list[ServerName]:
    """The shared servers these settings name; none for one process on its own files."""
    found: list[ServerName] = []
    if secret_url(settings.database_url):
        found.append("database")
    if secret_url(settings.redis_url):
        found.append("redis")
    if settings.chroma_host:
        found.append("chroma")
    return found


def database_reachable(engine: Engine) -> bool:
    """A connection from the pool (pinged first) answers ``SELECT 1``."""
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # DatabaseDown, or anything else that keeps the database from answering
        return False


def chroma_reachable(settings: Settings) -> bool:
    import httpx

    try:
        with httpx.Client(timeout=_CHROMA_TIMEOUT_S, trust_env=False) as http:
            return http.get(f"{settings.chroma_mode()}/api/v2/heartbeat").status_code == 200
    except httpx.HTTPError:
        return False


def down_error(name: ServerName, settings: Settings) -> ServerDown:
    if name == "database":
        from .database import database_down, normalise_url

        return database_down(normalise_url(secret_url(settings.database_url) or ""))
    if name == "redis":
        return redis_down(secret_url(settings.redis_url) or "")
    return chroma_down(settings)


def reachable(name: ServerName, settings: Settings, engine: Engine | None = None) -> bool:
    """Whether ``name`` answers now; ``engine`` is the running store's (else one is opened and closed)."""
    if name == "redis":
        return redis_reachable(secret_url(settings.redis_url) or "")
    if name == "chroma":
        return chroma_reachable(settings)
    if engine is not None:
        return database_reachable(engine)
    from .database import open_engine

    probe = open_engine(secret_url(settings.database_url) or "")
    try:
        return database_reachable(probe)
    finally:
        probe.dispose()


def require(settings: Settings, *names: str) -> None:
    """Raise the ``ServerDown`` of the first of ``names`` (default: all) that is configured and down."""
    for name in configured(settings):
        if (not names or name in names) and not reachable(name, settings):
            raise down_error(name, settings)


def status(settings: Settings, engine: Engine | None = None) -> dict[str, str]:
    """``{"database": "up", "redis": "down", ...}`` for every configured shared server."""
    return {name: "up" if reachable(name, settings, engine) else "down" for name in configured(settings)}
