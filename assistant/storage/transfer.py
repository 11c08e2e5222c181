"""``assistant db copy``: every row of one database into another, e.g. the SQLite file into PostgreSQL.

The order of the work is what keeps both databases whole:

1. Both URLs are read and both databases reached before anything is written; the source must be at
   the newest revision (``assistant db upgrade`` it first), the target is migrated to it.
2. A target that already holds rows is refused unless ``resume`` is given: a copy is meant for an
   empty database, or for finishing a copy that was interrupted.
3. Tables go in foreign-key order (``conversations``, ``turns``, ``feedback``), each in batches
   ordered by id; a batch is one transaction on the target, inserted with its ids and "on conflict
   do nothing". An interrupted copy therefore leaves whole batches, and running it again with
   ``resume`` adds exactly the rows that are missing: the ones already there are skipped by id, so
   nothing is written twice.
4. The ids were given explicitly, so each PostgreSQL sequence is set past the highest id (and past
   the source's own high-water mark: SQLite's AUTOINCREMENT never reuses the id of a deleted row,
   and neither should the target).
5. Both sides are counted table by table.

The source is read in one transaction (a snapshot), so rows the application writes during the copy
are not half-copied; they are copied by the next ``resume``. A reference to a row the source does
not have (an SQLite file from before the foreign keys were enforced may hold a rating of a turn that
was never logged) cannot be written to PostgreSQL: such a row is copied with the reference empty,
and the report says which.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from ..errors import StorageError
from . import schema
from .database import head_revision, migrate, normalise_url, open_engine

BATCH_ROWS = 500
_BACKENDS = {"sqlite", "postgresql"}
_CONNECT_TIMEOUT_S = 10
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")

# called after each committed batch with the table and how many of its rows are done (tests stop here)
BatchHook = Callable[[str, int], None]


class CopyError(StorageError):
    """The copy cannot start or cannot go on; the message is one plain sentence naming the database."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int
    added: int  # rows this run wrote; the others were already in the target
    unlinked: list[int] = field(default_factory=list)  # ids copied with a dangling reference emptied
    differing: list[int] = field(default_factory=list)  # ids the target held already, with other values

    @property
    def same(self) -> bool:
        return self.source == self.target and not self.differing


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    revision: str
    tables: list[TableCount]

    @property
    def complete(self) -> bool:
        return all(count.same for count in self.tables)

    def to_text(self) -> str:
        width = max(len("table"), *(len(count.table) for count in self.tables))
        lines = [f"Copied {self.source} to {self.target} (revision {self.revision}).",
                 f"{'table':<{width}}  {'source':>8}  {'target':>8}  {'added':>8}"]
        for count in self.tables:
            mark = "" if count.same else "  <- differs"
            lines.append(f"{count.table:<{width}}  {count.source:>8}  {count.target:>8}  {count.added:>8}{mark}")
        for count in self.tables:
            if count.unlinked:
                lines.append(f"{count.table}: {len(count.unlinked)} rows referred to rows the source does not have "
                             f"and were copied with that reference empty (ids {_ids(count.unlinked)}).")
            if count.differing:
                lines.append(f"{count.table}: {len(count.differing)} rows the target already held differ from the "
                             f"source's rows of the same id (ids {_ids(count.differing)}); they were left as they are.")
        if self.complete:
            lines.append("Every table has as many rows in the target as in the source.")
        else:
            differing = ", ".join(c.table for c in self.tables if not c.same)
            lines.append(f"The target differs from the source in {differing}: it is not a copy of the source.")
        return "\n".join(lines)


def mask(raw: str) -> str:
    """A URL as the user typed it, for a message about a URL that could not be read: no password."""
    return _PASSWORD.sub(r"\1***@", raw)


def copy_database(source: str, target: str, *, resume: bool = False, batch_rows: int = BATCH_ROWS,
                  after_batch: BatchHook | None = None) -> CopyReport:
    """Copy every table of ``source`` into ``target`` (URLs, or paths of SQLite files); see the module."""
    source_url, target_url = _parse(source, "source"), _parse(target, "target")
    if source_url.get_backend_name() == "sqlite" and not _sqlite_exists(source_url):
        raise CopyError(f"The source database {_shown(source_url)} does not exist.")
    if _same(source_url, target_url):
        raise CopyError(f"The source and the target are the same database ({_shown(source_url)}).")
    with ExitStack() as stack:
        source_engine = open_engine(source_url.render_as_string(hide_password=False))
        stack.callback(source_engine.dispose)
        reader = stack.enter_context(_reachable(source_engine, "source"))
        _check_source_revision(reader, source_engine)
        target_engine = open_engine(target_url.render_as_string(hide_password=False))
        stack.callback(target_engine.dispose)
        with _reachable(target_engine, "target") as probe:
            held = _rows_held(probe)
        if held and not resume:
            raise CopyError(f"The target database {_describe(target_engine)} already holds rows ({held}); "
                            "run again with --resume to finish an interrupted copy into it (rows whose id "
                            "is there are kept, the others added), or give an empty database.")
        try:
            migrate(target_engine)
        except CommandError as error:
            raise CopyError(f"The target database {_describe(target_engine)} cannot be migrated to revision "
                            f"{head_revision()} ({error}).") from None
        except OperationalError as error:
            raise _stopped(target_engine, error) from None
        counts = []
        for table in schema.metadata.sorted_tables:
            try:
                counts.append(_copy_table(table, reader, target_engine, batch_rows, after_batch))
            except DBAPIError as error:  # a row refused (a database that stopped answering is said by _answering)
                raise CopyError(f"A row of {table.name} cannot be written to the target database "
                                f"{_describe(target_engine)} ({_reason(error)}); the batches before it are "
                                "kept.") from None
        return CopyReport(source=_describe(source_engine), target=_describe(target_engine),
                          revision=head_revision(), tables=counts)


# -- before anything is written ------------------------------------------------------------------
def _parse(raw: str, side: str) -> URL:
    try:
        url = normalise_url(raw)
    except (ArgumentError, ValueError) as error:
        raise CopyError(f"The {side} '{mask(raw)}' is not a database URL ({error}).") from None
    if url.get_backend_name() not in _BACKENDS:
        raise CopyError(f"The {side} {_shown(url)} is neither an SQLite file nor a PostgreSQL database "
                        "(sqlite:///path or postgresql://user:password@host/database).")
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": str(_CONNECT_TIMEOUT_S)})
    return url


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _describe(engine: Engine) -> str:
    """The database for a message, as the user named it: no password, no timeout added here."""
    return _shown(engine.url.difference_update_query(["connect_timeout"]))


def _sqlite_exists(url: URL) -> bool:
    return bool(url.database) and url.database != ":memory:" and Path(str(url.database)).is_file()


def _same(source: URL, target: URL) -> bool:
    if source.get_backend_name() == "sqlite" and target.get_backend_name() == "sqlite":
        return Path(str(source.database)).resolve() == Path(str(target.database)).resolve()
    return (source.get_backend_name() == target.get_backend_name() and source.host == target.host
            and (source.port or 5432) == (target.port or 5432) and source.database == target.database)


@contextmanager
def _reachable(engine: Engine, side: str) -> Iterator[Connection]:
    """A connection to ``engine``, or a ``CopyError`` that names it and says why it cannot be reached.

    The source's connection reads everything in one transaction: a snapshot of the source."""
    try:
        connection = engine.connect()
    except (DBAPIError, NoSuchModuleError, ImportError) as error:  # refused, unknown host, not a database
        reason = _reason(error) if isinstance(error, DBAPIError) else str(error)
        raise CopyError(f"The {side} database {_describe(engine)} cannot be reached ({reason}).") from None
    try:
        with _answering(engine):
            if side == "source" and engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            elif side == "source":  # the sqlite3 module begins no transaction for reads: one is asked for
                connection.exec_driver_sql("BEGIN")
            connection.execute(text("SELECT 1"))
        yield connection
    finally:
        connection.rollback()  # a reader: nothing to keep
        connection.close()


def _check_source_revision(reader: Connection, engine: Engine) -> None:
    revision = MigrationContext.configure(reader).get_current_revision()
    if revision == head_revision():
        return
    if revision is None and not _present(reader):
        raise CopyError(f"The source database {_describe(engine)} holds none of the assistant's tables.")
    raise CopyError(f"The source database {_describe(engine)} is at revision {revision or 'none'}, not "
                    f"{head_revision()}: migrate it first (ASSISTANT_DATABASE_URL=... assistant db upgrade).")


def _present(connection: Connection) -> list[Table]:
    names = set(inspect(connection).get_table_names())
    return [table for table in schema.metadata.sorted_tables if table.name in names]


def _rows_held(connection: Connection) -> str:
    """``turns: 12, feedback: 3`` for the tables of the target that hold rows; empty when none does."""
    held = []
    for table in _present(connection):
        rows = _count(connection, table)
        if rows:
            held.append(f"{table.name}: {rows}")
    connection.rollback()
    return ", ".join(held)


# -- copying -------------------------------------------------------------------------------------
def _copy_table(table: Table, reader: Connection, target: Engine, batch_rows: int,
                after_batch: BatchHook | None) -> TableCount:
    added, done = 0, 0
    unlinked: list[int] = []
    differing: list[int] = []
    for rows in _batches(reader, table, batch_rows):
        with _answering(target), target.begin() as writer:
            unlinked += _unlink_dangling(writer, table, rows)
            written, different = _insert_missing(writer, table, rows)
            added, differing = added + written, differing + different
        done += len(rows)
        if after_batch is not None:
            after_batch(table.name, done)
    with _answering(reader.engine):
        high_water = _high_water(reader, table)
        source_rows = _count(reader, table)
    with _answering(target), target.begin() as writer:
        _carry_sequence(writer, table, high_water)
        copied = _count(writer, table)
    return TableCount(table=table.name, source=source_rows, target=copied, added=added, unlinked=unlinked,
                      differing=differing)


def _batches(reader: Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    """The rows in id order, ``size`` at a time (keyset paging: each batch starts after the last id)."""
    key = _primary_key(table)
    last: Any = None
    while True:
        query = select(table).order_by(key).limit(size)
        if last is not None:
            query = query.where(key > last)
        with _answering(reader.engine):
            rows = [dict(row._mapping) for row in reader.execute(query)]
        if not rows:
            return
        yield rows
        last = rows[-1][key.name]


def _insert_missing(writer: Connection, table: Table, rows: list[dict[str, Any]]) -> tuple[int, list[int]]:
    """Insert the rows whose id is not in the target yet: how many there were, and the ids of the rows
    the target has with other values (a resumed copy finds its own rows; another database's differ)."""
    key = _primary_key(table)
    present = {row._mapping[key.name]: dict(row._mapping) for row in writer.execute(
        select(table).where(key.in_([row[key.name] for row in rows])))}
    missing = [row for row in rows if row[key.name] not in present]
    if missing:  # "on conflict do nothing" too: an id written meanwhile by someone else is not written twice
        dialect = postgresql if writer.dialect.name == "postgresql" else sqlite
        writer.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=[key.name]), missing)
    return len(missing), [int(row[key.name]) for row in rows
                          if row[key.name] in present and present[row[key.name]] != row]


def _unlink_dangling(writer: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Empty the references to rows the target does not have (parents are copied first, so the
    source does not have them either); the ids of the rows that had one."""
    unlinked: set[int] = set()
    key = _primary_key(table).name
    for column in table.columns:
        for reference in column.foreign_keys:
            wanted = {row[column.name] for row in rows if row[column.name] is not None}
            if not wanted:
                continue
            parent = reference.column
            found = set(writer.execute(select(parent).where(parent.in_(wanted))).scalars())
            for row in rows:
                if row[column.name] is not None and row[column.name] not in found:
                    row[column.name] = None
                    unlinked.add(int(row[key]))
    return sorted(unlinked)


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _carry_sequence(writer: Connection, table: Table, source_high_water: int) -> None:
    """Set the target's next id past every id the table has had on either side, so new rows do not collide."""
    key = _primary_key(table)
    top = max(int(writer.execute(select(func.max(key))).scalar() or 0), source_high_water,
              _high_water(writer, table))
    if writer.dialect.name == "postgresql":
        sequence = writer.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                  {"table": table.name, "column": key.name}).scalar()
        if sequence is not None:  # setval(s, n, true): the next id is n + 1; (s, 1, false): it is 1
            writer.execute(text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
                           {"sequence": sequence, "value": max(top, 1), "called": top > 0})
    elif top > 0:  # SQLite's AUTOINCREMENT keeps its high-water mark in sqlite_sequence
        writer.execute(text("DELETE FROM sqlite_sequence WHERE name = :table"), {"table": table.name})
        writer.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)"),
                       {"table": table.name, "seq": top})


def _high_water(reader: Connection, table: Table) -> int:
    """The highest id the source's sequence has handed out (above the highest row when rows were deleted)."""
    if reader.dialect.name == "sqlite":
        if not reader.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
            return 0
        found = reader.execute(text("SELECT seq FROM sqlite_sequence WHERE name = :table"),
                               {"table": table.name}).scalar()
    else:
        found = reader.execute(text("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:table, :column) "
                                    "AS regclass))"), {"table": table.name,
                                                       "column": _primary_key(table).name}).scalar()
    return int(found or 0)


def _primary_key(table: Table) -> Any:
    (key,) = table.primary_key.columns
    return key


# -- errors ----------------------------------------------------------------------------------------
@contextmanager
def _answering(engine: Engine) -> Iterator[None]:
    """Turn "the server went away" (or the file is locked) into one sentence naming ``engine``."""
    try:
        yield
    except OperationalError as error:
        raise _stopped(engine, error) from None


def _stopped(engine: Engine, error: DBAPIError) -> CopyError:
    return CopyError(f"The copy stopped: the database {_describe(engine)} cannot be used ({_reason(error)}); "
                     "the batches already written are kept: run the same command with --resume to finish.")


def _reason(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0][:200] if error.orig else error.__class__.__name__


def _ids(ids: list[int], shown: int = 10) -> str:
    listed = ", ".join(str(i) for i in ids[:shown])
    return listed + (f" and {len(ids) - shown} more" if len(ids) > shown else "")
