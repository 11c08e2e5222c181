"""``assistant db copy``: an SQLite file filled through the stores, copied into a real PostgreSQL, row for row."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import AlreadyRated
from assistant.models import Citation
from assistant.storage import schema
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import downgrade, head_revision, open_engine
from assistant.storage.feedback import FeedbackStore, stored_citation
from assistant.storage.transfer import CopyError, copy_database
from tests.servers import PostgresServer, free_port
from tests.storage.test_migrations import legacy_file
from tests.storage.test_store import answer

pytestmark = pytest.mark.postgres


def filled_sqlite(path: Path, conversations: int = 6) -> str:
    """An SQLite store written through the public APIs: conversations with turns and citations, feedback
    (with comments, anonymous, on no turn), a renamed and a deleted conversation, a withdrawn rating."""
    url = f"sqlite:///{path}"
    store = FeedbackStore(url, {"embedding_model": "use-multilingual"})
    kept = ConversationStore(store)
    for number in range(conversations):
        key = f"web:{number:04d}" if number % 2 else f"slack:C1:{number}.0"
        channel = "web" if number % 2 else "slack"
        for step in range(3):
            citation = Citation(n=1, chunk_id=f"doc{number}#{step}", doc_id=f"doc{number}", title=f"Doc «{number}»",
                                source="https://example.org", locator="p. 2", quote="Une phrase citée.",
                                quote_start=3, date="2025-01-01", chunk_text="Avant. Une phrase citée. Après.")
            given = answer(f"Question {number}.{step} — où ?", f"Réponse {number}.{step} [1]")
            given = given.model_copy(update={"citations": [citation]})
            turn_id = store.log_turn(given, channel, f"U{number % 3}", conversation=key)
            assert turn_id is not None
            if step == 0:
                store.record_feedback(1, given.question, given.answer, [stored_citation(citation)], channel,
                                      f"U{number % 3}", comment="utile", turn_id=turn_id)
            if step == 1:
                store.record_feedback(-1, given.question, given.answer, [], channel, None, turn_id=turn_id)
        if number == 1:
            conversation_id = kept.id_of(key, owner=None)
            assert conversation_id is not None and kept.rename(conversation_id, "U1", "Renommée")
    with pytest.raises(AlreadyRated):
        store.record_feedback(1, "q", "a", [], "slack", "U0", turn_id=1)
    store.record_feedback(-1, "no turn", "a", [], "api", "bob")  # feedback on no turn
    deleted = kept.id_of("slack:C1:2.0", owner=None)
    assert deleted is not None and kept.delete(deleted, "U2")  # a gap in the conversation ids
    assert kept.unrate(4, "U1") == 1  # and one in feedback's
    store.log_turn(answer(), "web", "U5", conversation="web:gone")
    gone = kept.id_of("web:gone", owner=None)
    assert gone is not None and kept.delete(gone, "U5")  # the newest conversation: its id is never given again
    store.close()
    return url


def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = open_engine(url)
    with engine.connect() as db:
        rows = {table.name: [tuple(row) for row in db.execute(select(table).order_by(*table.primary_key.columns))]
                for table in schema.metadata.sorted_tables}
    engine.dispose()
    return rows


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source(tmp_path: Path) -> str:
    return filled_sqlite(tmp_path / "feedback.sqlite3")


@pytest.fixture
def target(postgres_server: PostgresServer) -> str:
    return postgres_server.new_database("copy")


def test_every_row_of_every_table_arrives(source: str, target: str) -> None:
    before = every_row(source)
    assert all(before.values()) and len(before) == 3

    report = copy_database(source, target, batch_rows=4)

    assert report.complete and report.revision == head_revision()
    assert [(c.table, c.source, c.target, c.added) for c in report.tables] == [
        (name, len(rows), len(rows), len(rows)) for name, rows in before.items()]
    assert every_row(target) == before
    assert every_row(source) == before
    lines = report.to_text().splitlines()
    assert lines[0].startswith(f"Copied {source} to postgresql+psycopg://postgres@127.0.0.1:")
    assert lines[1].split() == ["table", "source", "target", "added"]
    assert [line.split() for line in lines[2:5]] == [[name, *[str(len(rows))] * 3] for name, rows in before.items()]
    assert lines[5:] == ["Every table has as many rows in the target as in the source."]


def test_new_rows_after_the_copy_take_new_ids(source: str, target: str) -> None:
    copy_database(source, target)
    highest = {name: max(row[0] for row in rows) for name, rows in every_row(source).items()}
    store = FeedbackStore(target)
    turn_id = store.log_turn(answer(), "web", "U9", conversation="web:new")
    assert turn_id == highest["turns"] + 1
    assert store.record_feedback(1, "q", "a", [], "web", "U9", turn_id=turn_id) == highest["feedback"] + 1
    # the source's newest conversation was deleted: its id is not given again, as SQLite would not
    original = sqlite3.connect(source.removeprefix("sqlite:///"))
    high_water = original.execute("SELECT seq FROM sqlite_sequence WHERE name = 'conversations'").fetchone()[0]
    original.close()
    assert high_water > highest["conversations"]
    assert ConversationStore(store).id_of("web:new", owner=None) == high_water + 1
    # a conversation key copied from the source is found, not created again
    store.log_turn(answer(), "slack", "U0", conversation="slack:C1:0.0")
    assert store.count("conversations") == len(every_row(source)["conversations"]) + 1
    store.close()


def test_a_target_with_rows_is_refused_in_one_sentence(source: str, target: str) -> None:
    store = FeedbackStore(target)
    store.record_feedback(1, "q", "a", [], "web", "someone")
    store.close()
    with pytest.raises(CopyError) as refused:
        copy_database(source, target)
    message = str(refused.value)
    assert "already holds rows (feedback: 1)" in message and "--resume" in message and "\n" not in message
    assert every_row(target)["feedback"][0][8] == "a" and len(every_row(target)["feedback"]) == 1


class Interrupted(Exception):
    pass


def test_an_interrupted_copy_finishes_with_resume_and_nothing_twice(source: str, target: str) -> None:
    before = every_row(source)

    def stop_in_turns(table: str, done: int) -> None:
        if table == "turns" and done >= 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        copy_database(source, target, batch_rows=5, after_batch=stop_in_turns)
    half = every_row(target)
    assert half["conversations"] == before["conversations"] and half["turns"] == before["turns"][:5]
    assert half["feedback"] == []

    with pytest.raises(CopyError, match="already holds rows"):
        copy_database(source, target)
    report = copy_database(source, target, resume=True, batch_rows=5)
    assert report.complete
    added = {c.table: c.added for c in report.tables}
    assert added == {"conversations": 0, "turns": len(before["turns"]) - 5, "feedback": len(before["feedback"])}
    assert every_row(target) == before  # same rows, same ids, none twice
    again = copy_database(source, target, resume=True)  # a third run adds nothing
    assert again.complete and {c.added for c in again.tables} == {0}
    store = FeedbackStore(target)
    assert store.log_turn(answer(), "web") == before["turns"][-1][0] + 1
    store.close()


def test_a_target_that_stopped_answering_mid_copy_can_be_resumed(source: str, target: str,
                                                                 postgres_server: PostgresServer) -> None:
    """The server ends the copy's connections between two batches and takes no new ones: one sentence,
    and --resume finishes the copy once it does again."""
    import psycopg

    database = target.rsplit("/", 1)[1]

    def admin(statement: str) -> None:
        with psycopg.connect(postgres_server.url(), autocommit=True) as connection:
            connection.execute(statement)

    def close_the_database(table: str, done: int) -> None:
        if table == "turns" and done == 3:
            admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'")

    with pytest.raises(CopyError) as stopped:
        copy_database(source, target, batch_rows=3, after_batch=close_the_database)
    message = str(stopped.value)
    assert message.startswith(f"The copy stopped: the database {target.replace('postgresql', 'postgresql+psycopg')}"
                              " cannot be used (")
    assert "--resume" in message and "\n" not in message
    admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    assert len(every_row(target)["turns"]) == 3
    assert copy_database(source, target, resume=True).complete
    assert every_row(target) == every_row(source)


def test_a_reference_to_a_row_the_source_lacks_is_emptied_and_said(tmp_path: Path, target: str) -> None:
    path = tmp_path / "old.sqlite3"
    legacy_file(path, turns=3)  # from before Alembic: a rating of turn 999, which was never logged
    FeedbackStore(path).close()
    report = copy_database(str(path), target)
    assert report.complete
    feedback = next(c for c in report.tables if c.table == "feedback")
    assert feedback.unlinked == [6]
    assert "feedback: 1 rows referred to rows the source does not have" in report.to_text()
    copied = {row[0]: row for row in every_row(target)["feedback"]}
    original = {row[0]: row for row in every_row(f"sqlite:///{path}")["feedback"]}
    assert copied[6][4] is None and original[6][4] == 999
    assert {k: v for k, v in copied.items() if k != 6} == {k: v for k, v in original.items() if k != 6}


def test_a_source_behind_head_must_be_migrated_first(source: str, target: str, tmp_path: Path) -> None:
    engine = open_engine(source)
    downgrade(engine, "0002")
    engine.dispose()
    with pytest.raises(CopyError) as refused:
        copy_database(source, target)
    assert "is at revision 0002, not" in str(refused.value) and "assistant db upgrade" in str(refused.value)
    engine = open_engine(target)
    assert inspect(engine).get_table_names() == []  # the target was not even migrated
    engine.dispose()


def test_an_unreachable_target_names_it_without_its_password_and_writes_nothing(source: str,
                                                                                tmp_path: Path) -> None:
    path = Path(source.removeprefix("sqlite:///"))
    before = digest(path)
    down = f"postgresql://copier:secret-pw@127.0.0.1:{free_port()}/assistant"
    with pytest.raises(CopyError) as refused:
        copy_database(source, down)
    message = str(refused.value)
    assert message.startswith("The target database postgresql+psycopg://copier:***@127.0.0.1:")
    assert "cannot be reached" in message and "secret-pw" not in message and "\n" not in message
    assert digest(path) == before


def test_an_unreachable_source_creates_no_target_file(tmp_path: Path) -> None:
    down = f"postgresql://copier:secret-pw@127.0.0.1:{free_port()}/assistant"
    with pytest.raises(CopyError, match=r"The source database .* cannot be reached"):
        copy_database(down, str(tmp_path / "new.sqlite3"))
    with pytest.raises(CopyError, match=r"does not exist"):
        copy_database(str(tmp_path / "missing.sqlite3"), str(tmp_path / "new.sqlite3"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad, said", [
    ("postgresql://u:secret-pw@host:notaport/db", "The target 'postgresql://u:***@host:notaport/db' is not a "
                                                  "database URL"),
    ("mysql://u:secret-pw@host/db", "The target mysql://u:***@host/db is neither an SQLite file nor a PostgreSQL"),
])
def test_a_bad_url_is_one_sentence(source: str, bad: str, said: str) -> None:
    with pytest.raises(CopyError) as refused:
        copy_database(source, bad)
    assert str(refused.value).startswith(said) and "secret-pw" not in str(refused.value)


def test_source_and_target_must_differ(source: str) -> None:
    with pytest.raises(CopyError, match="are the same database"):
        copy_database(source, source.removeprefix("sqlite:///"))


def test_sqlite_into_sqlite_keeps_autoincrements_high_water(source: str, tmp_path: Path) -> None:
    copied = str(tmp_path / "copy.sqlite3")
    assert copy_database(source, copied).complete
    assert every_row(copied) == every_row(source)
    db = sqlite3.connect(copied)
    sequences = dict(db.execute("SELECT name, seq FROM sqlite_sequence"))
    db.close()
    original = sqlite3.connect(source.removeprefix("sqlite:///"))
    assert sequences == dict(original.execute("SELECT name, seq FROM sqlite_sequence"))
    original.close()


def test_the_cli_copies_and_prints_both_counts(source: str, target: str, postgres_server: PostgresServer) -> None:
    rows = every_row(source)
    result = CliRunner().invoke(app, ["db", "copy", source, target, "--batch-rows", "7"])
    assert result.exit_code == 0, result.output
    for name, found in rows.items():
        assert any(line.split()[:3] == [name, str(len(found)), str(len(found))] for line in result.output.splitlines())
    assert "Every table has as many rows" in result.output
    again = CliRunner().invoke(app, ["db", "copy", source, target])
    assert again.exit_code == 2 and "already holds rows" in again.output and "Traceback" not in again.output
    down = CliRunner().invoke(app, ["db", "copy", source, f"postgresql://u:secret-pw@127.0.0.1:{free_port()}/x"])
    assert down.exit_code == 2 and "cannot be reached" in down.output and "secret-pw" not in down.output
    assert json.dumps(rows, default=str) == json.dumps(every_row(target), default=str)


def test_rows_of_another_database_under_the_same_ids_are_reported_and_the_exit_is_not_zero(
        source: str, target: str) -> None:
    store = FeedbackStore(target)
    store.record_feedback(1, "someone else's question", "a", [], "web", "someone")  # id 1, as the source's first
    store.close()
    result = CliRunner().invoke(app, ["db", "copy", source, target, "--resume"])
    assert result.exit_code == 1, result.output
    assert "feedback: 1 rows the target already held differ from the source's rows of the same id (ids 1)" in (
        result.output)
    assert "The target differs from the source in feedback" in result.output
    assert every_row(target)["feedback"][0][7] == "someone else's question"  # left as it was


def test_rows_written_to_the_source_during_the_copy_wait_for_the_next_resume(source: str, target: str) -> None:
    """The source is read as one snapshot: the counts compare like with like, and --resume adds the rest."""
    writer = FeedbackStore(source)
    before = every_row(source)

    def the_application_answers(table: str, done: int) -> None:
        if table == "conversations":
            writer.log_turn(answer("A question during the copy"), "web", "U1", conversation="web:during")

    report = copy_database(source, target, after_batch=the_application_answers)
    assert report.complete and every_row(target) == before
    writer.close()
    assert copy_database(source, target, resume=True).complete
    after = every_row(source)
    assert every_row(target) == after and len(after["turns"]) == len(before["turns"]) + 1


def test_ctrl_c_in_the_cli_says_how_to_finish(source: str, target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.storage import transfer

    real = transfer._insert_missing

    def interrupted_in_turns(writer: Any, table: Any, rows: list[dict[str, Any]]) -> tuple[int, list[int]]:
        if table.name == "turns":
            raise KeyboardInterrupt
        return real(writer, table, rows)

    monkeypatch.setattr(transfer, "_insert_missing", interrupted_in_turns)
    result = CliRunner().invoke(app, ["db", "copy", source, target])
    assert result.exit_code == 130 and "run the same command with --resume" in result.output
    assert every_row(target)["turns"] == []  # the batch's transaction was rolled back
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["db", "copy", source, target, "--resume"]).exit_code == 0
    assert every_row(target) == every_row(source)
