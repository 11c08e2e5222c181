"""One database for every replica: an SQLite file by default, PostgreSQL by ``ASSISTANT_DATABASE_URL``.

``open_engine`` makes the SQLAlchemy engine (SQLite in WAL mode with a busy timeout, so several
threads and processes share the file; PostgreSQL through psycopg 3 with a checked pool), and
``migrate`` brings the schema to a revision with Alembic. Replicas starting together migrate one
at a time (an advisory lock on PostgreSQL, a lock file beside an SQLite database). An SQLite file
of the store before Alembic (``PRAGMA user_version`` 1, tables ``turns`` and ``feedback``) is
stamped at the baseline revision and upgraded from there, every row kept.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext, make_url

if TYPE_CHECKING:  # Alembic is imported when a schema must change (a third of a second of every start)
    from alembic.config import Config

from ..errors import DatabaseDown
from ..settings import Settings

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
# The newest revision under migrations/versions, known without importing Alembic: a start whose
# database is there already skips Alembic altogether (tests/storage/test_migrations.py checks it is
# Alembic's head).
HEAD = "0003"
_LEGACY_TABLES = {"turns", "feedback"}
_MIGRATION_LOCK_ID = 0x6173_7369  # any fixed 32-bit number: "assi"
_BUSY_TIMEOUT_MS = 30_000
# psycopg waits for ever on a host that does not answer; a request should fail in seconds instead.
_CONNECT_TIMEOUT_S = 5


def database_url(settings: Settings) -> str:
    """The configured URL, or the SQLite file ``feedback_db``."""
    if settings.database_url is not None and settings.database_url.get_secret_value().strip():
        return settings.database_url.get_secret_value().strip()
    return f"sqlite:///{settings.feedback_db}"


def normalise_url(target: str | Path) -> URL:
    """A path is an SQLite file; ``postgresql://`` and ``postgres://`` use psycopg 3."""
    if isinstance(target, Path) or "://" not in target:
        return make_url(f"sqlite:///{target}")
    url = make_url(target.replace("postgres://", "postgresql://", 1) if target.startswith("postgres://")
                   else target)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def open_engine(target: str | Path) -> Engine:
    url = normalise_url(target)
    if url.get_backend_name() != "sqlite":
        # pool_pre_ping: a connection the server dropped (a restart) is replaced before it is lent out,
        # so the process recovers by itself once the server is back.
        timeout = {} if "connect_timeout" in url.query else {"connect_timeout": _CONNECT_TIMEOUT_S}
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=30,
                             connect_args=timeout)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_timeout=30,
                           connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return engine


def describe(engine: Engine) -> str:
    """The database for a message: the URL without its password."""
    return engine.url.render_as_string(hide_password=True)


def address(url: URL) -> str:
    """The URL as an operator wrote it (``postgresql://``, not the driver's name), password masked."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def database_down(url: URL) -> DatabaseDown:
    return DatabaseDown(f"The database at {address(url)} is not reachable: check ASSISTANT_DATABASE_URL.")


def report_server_down(engine: Engine) -> None:
    """From now on a lost or refused PostgreSQL connection on ``engine`` raises ``DatabaseDown`` (the store of
    the front ends); other users of ``open_engine`` (``assistant db copy``) keep SQLAlchemy's errors."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "handle_error", _server_down)


def _server_down(context: ExceptionContext) -> None:
    """A lost or refused connection becomes ``DatabaseDown``, whatever the statement; other errors
    (a constraint, a deadlock) stay as they are."""
    refused = (context.connection is None and context.dialect.name == "postgresql"
               and type(context.original_exception) is context.dialect.loaded_dbapi.OperationalError)
    if (context.is_disconnect or refused) and context.engine is not None:
        raise database_down(context.engine.url) from context.original_exception


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (a no-op when it is there); one process at a time."""
    if revision == "head" and recorded_revision(engine) == HEAD:
        return  # the usual start: nothing to do, and no Alembic to import
    _run(engine, "upgrade", revision)


def recorded_revision(engine: Engine) -> str | None:
    """The revision in the database's ``alembic_version`` table, read with one query (``None`` without one)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(found[0]) if len(found) == 1 else None


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base``: no tables), dropping what later ones added."""
    _run(engine, "downgrade", revision)


def _run(engine: Engine, direction: str, revision: str) -> None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with _exclusive(engine), engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")  # downgrades copy tables
        try:
            _stamp_legacy(connection)
            config = alembic_config(connection)
            before = MigrationContext.configure(connection).get_current_revision()
            target = head_revision() if revision == "head" else revision
            if before == target or (before is None and target == "base"):
                return
            getattr(command, direction)(config, revision)
            connection.commit()
            log.info("database %s migrated from %s to %s", describe(engine), before or "empty", target)
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")


def _stamp_legacy(connection: Connection) -> None:
    """The store before Alembic wrote ``turns`` and ``feedback`` and no version table: that is 0001."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables or not tables >= _LEGACY_TABLES:
        return
    from alembic import command

    command.stamp(alembic_config(connection), BASELINE)
    connection.commit()
    log.info("database from before migrations found; stamped at revision %s", BASELINE)


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            try:
                yield
            finally:
                holder.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
                holder.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
