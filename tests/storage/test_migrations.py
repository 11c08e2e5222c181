"""Alembic migrations: up and down on both databases, head equals ``schema``, today's SQLite file kept whole."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import AlreadyRated
from assistant.storage import schema
from assistant.storage.database import (
    HEAD,
    current_revision,
    downgrade,
    head_revision,
    migrate,
    open_engine,
    recorded_revision,
)
from assistant.storage.feedback import FeedbackStore
from tests.servers import PostgresServer

# The store's schema before Alembic, exactly as assistant/storage/feedback.py's _MIGRATIONS[0] wrote it
# (with PRAGMA user_version = 1).
LEGACY_SCHEMA = """
CREATE TABLE turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    channel TEXT NOT NULL,
    user TEXT,
    question TEXT NOT NULL,
    standalone_question TEXT,
    language TEXT,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,
    retrieved TEXT NOT NULL,
    settings TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    total_ms REAL
);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    channel TEXT NOT NULL,
    user TEXT,
    turn_id INTEGER REFERENCES turns(id),
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    settings TEXT NOT NULL
);
CREATE INDEX feedback_rating ON feedback(rating);
"""


def legacy_file(path: Path, turns: int = 40) -> list[tuple[object, ...]]:
    """A store of today's schema with turns and feedback, repeated ratings and a dangling turn id among them."""
    db = sqlite3.connect(path)
    db.executescript(LEGACY_SCHEMA)
    db.execute("PRAGMA user_version = 1")
    for number in range(turns):
        db.execute("INSERT INTO turns (created, channel, user, question, standalone_question, language, answer,"
                   " refused, citations, retrieved, settings, settings_hash, total_ms)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (1.7e9 + number, "slack", f"U{number % 3}", f"question {number}", None, "fr", "réponse [1]",
                    number % 5 == 0, '[{"n": 1}]', "[]", "{}", "abc", 12.5))
    rows = [(1.7e9, "slack", "U1", 1, 1, "", "q", "a", "[]", "{}"),
            (1.7e9, "slack", "U1", 1, 1, "", "q", "a", "[]", "{}"),  # a repeat: the old check was in memory
            (1.7e9, "slack", "U1", 1, -1, "", "q", "a", "[]", "{}"),
            (1.7e9, "web", None, 2, 1, "comment", "q", "a", "[]", "{}"),
            (1.7e9, "web", None, 2, 1, "comment", "q", "a", "[]", "{}"),
            (1.7e9, "api", "bob", 999, -1, None, "q", "a", "[]", "{}"),  # a turn id that was never logged
            (1.7e9, "api", "bob", None, -1, "x", "q", "a", "[]", "{}")]
    db.executemany("INSERT INTO feedback (created, channel, user, turn_id, rating, comment, question, answer,"
                   " citations, settings) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    everything = [*db.execute("SELECT * FROM turns ORDER BY id"), *db.execute("SELECT * FROM feedback ORDER BY id")]
    db.close()
    return everything


def test_todays_sqlite_file_is_upgraded_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    before = legacy_file(path)

    store = FeedbackStore(path)
    assert current_revision(store.engine) == head_revision()
    db = sqlite3.connect(path)
    turns = list(db.execute("SELECT id, created, channel, user, question, standalone_question, language, answer,"
                            " refused, citations, retrieved, settings, settings_hash, total_ms FROM turns ORDER BY id"))
    feedback = list(db.execute("SELECT id, created, channel, user, turn_id, rating, comment, question, answer,"
                               " citations, settings FROM feedback ORDER BY id"))
    raters = [rater for (rater,) in db.execute("SELECT rater FROM feedback ORDER BY id")]
    db.close()
    assert [*turns, *feedback] == before
    assert raters == ["U1", None, "U1", None, None, "bob", None]  # the repeat is kept, outside the constraint

    with pytest.raises(AlreadyRated):  # from now on the database says "already rated"
        store.record_feedback(1, "q", "a", [], "slack", "U1", turn_id=1)
    FeedbackStore(path)  # opening again is a no-op
    assert store.count("turns") == 40 and store.count() == 7


def test_a_new_turn_after_the_upgrade_takes_the_next_id(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    legacy_file(path, turns=3)
    db = sqlite3.connect(path)
    db.execute("DELETE FROM feedback")
    db.execute("DELETE FROM turns WHERE id = 3")  # AUTOINCREMENT never gives an id twice
    db.commit()
    db.close()
    store = FeedbackStore(path)
    from tests.storage.test_store import answer

    assert store.log_turn(answer(), "web") == 4


def columns_and_indexes(url: str) -> dict[str, object]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    found = inspect(engine)
    shape: dict[str, object] = {}
    for table in sorted(set(found.get_table_names()) - {"alembic_version"}):
        shape[table] = (
            sorted((c["name"], c["nullable"]) for c in found.get_columns(table)),
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
            sorted((tuple(fk["constrained_columns"]), fk["referred_table"]) for fk in found.get_foreign_keys(table)),
        )
    engine.dispose()
    return shape


def expected_shape() -> dict[str, object]:
    shape: dict[str, object] = {}
    for table in schema.metadata.sorted_tables:
        shape[table.name] = (
            sorted((c.name, bool(c.nullable)) for c in table.columns),
            sorted((i.name, tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes),
            sorted((tuple(fk.parent.name for fk in [element]), element.column.table.name)
                   for c in table.columns for element in c.foreign_keys),
        )
    return dict(sorted(shape.items()))


def test_the_head_known_without_alembic_is_alembics_head(tmp_path: Path) -> None:
    assert head_revision() == HEAD
    engine = open_engine(tmp_path / "feedback.sqlite3")
    assert recorded_revision(engine) is None  # no version table yet
    migrate(engine)
    assert recorded_revision(engine) == current_revision(engine) == HEAD
    engine.dispose()


def test_head_is_the_schema_the_queries_use(database: str) -> None:
    FeedbackStore(database).close()
    assert columns_and_indexes(database) == expected_shape()


def test_down_to_nothing_and_up_again(database: str) -> None:
    engine = open_engine(database)
    migrate(engine, "0001")
    assert set(inspect(engine).get_table_names()) == {"turns", "feedback", "alembic_version"}
    migrate(engine)
    store = FeedbackStore(database)
    from tests.storage.test_store import answer

    turn_id = store.log_turn(answer(), "slack", "U1", conversation="slack:C1:1.0")
    store.record_feedback(1, "q", "a", [], "slack", "U1", turn_id=turn_id)

    downgrade(engine, "0001")  # the conversation goes; the turn and the feedback stay
    assert current_revision(engine) == "0001"
    assert set(inspect(engine).get_table_names()) == {"turns", "feedback", "alembic_version"}
    migrate(engine)
    assert store.count("turns") == 1 and store.count() == 1 and store.count("conversations") == 0
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision() and store.count() == 0
    store.close()
    engine.dispose()


@pytest.mark.postgres
def test_replicas_starting_together_migrate_once(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    errors: list[BaseException] = []

    def start() -> None:
        try:
            FeedbackStore(url).close()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert current_revision(open_engine(url)) == head_revision()


def test_assistant_db_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data" / "feedback.sqlite3"
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(path))
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"at revision {head_revision()}" in upgraded.output and path.exists()
    down = runner.invoke(app, ["db", "downgrade", "0001"])
    assert down.exit_code == 0 and "at revision 0001" in down.output
    shown = runner.invoke(app, ["db", "current"])
    assert f"at revision 0001 (newest: {head_revision()})" in shown.output


def test_assistant_db_upgrade_on_a_server_that_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers import free_port

    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"postgresql://nobody:secret-pw@127.0.0.1:{free_port()}/none")
    started = time.monotonic()
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2 and "is not reachable: check ASSISTANT_DATABASE_URL." in result.output
    assert "secret-pw" not in result.output and "Traceback" not in result.output
    assert time.monotonic() - started < 30


def test_assistant_serve_says_in_one_line_that_the_database_is_down(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    from tests.servers import free_port

    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"postgresql://nobody:secret-pw@127.0.0.1:{free_port()}/none")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    result = CliRunner().invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert "is not reachable: check ASSISTANT_DATABASE_URL." in result.output
    assert "secret-pw" not in result.output and "Traceback" not in result.output
