"""SQLite store of every answered turn and of user feedback (web chat and Slack alike).

WAL mode and a busy timeout let several writers (web workers, Slack handlers) share the
file; migrations are numbered so an old database is upgraded in place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..models import Answer, Language

log = logging.getLogger(__name__)

Channel = Literal["web", "slack", "api", "cli"]

_MIGRATIONS = [
    """
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
    """,
]


@dataclass(frozen=True)
class TurnRecord:
    """An answered turn read back by id, so a button clicked hours later is tied to its answer."""

    turn_id: int
    question: str
    answer: str
    language: Language
    citations: list[dict[str, Any]]


class FeedbackStore:
    def __init__(self, path: Path, settings_snapshot: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.settings_snapshot = settings_snapshot or {}
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                db.executescript(script)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA busy_timeout = 30000")
            connection.execute("PRAGMA synchronous = NORMAL")
            self._local.connection = connection
        yield connection

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        """One statement in its own transaction, retried while another writer holds the lock."""
        for attempt in range(20):
            try:
                with self._connect() as db:
                    cursor = db.execute(sql, params)
                    return int(cursor.lastrowid or 0)
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise sqlite3.OperationalError("feedback store stayed locked")

    def log_turn(self, answer: Answer, channel: Channel, user: str | None = None) -> int | None:
        """Log one answered turn; its id ties later feedback to it. The one turn logger of every
        front end: a failed write costs the log line and the feedback buttons, never the answer."""
        try:
            return self._insert_turn(answer, channel, user)
        except Exception:
            log.exception("could not log the %s turn; answering without feedback buttons", channel)
            return None

    def _insert_turn(self, answer: Answer, channel: Channel, user: str | None) -> int:
        settings_hash = hashlib.sha256(json.dumps(self.settings_snapshot, sort_keys=True, default=str)
                                       .encode()).hexdigest()[:16]
        return self._write(
            "INSERT INTO turns (created, channel, user, question, standalone_question, language,"
            " answer, refused, citations, retrieved, settings, settings_hash, total_ms)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                time.time(), channel, user, answer.question, answer.standalone_question,
                answer.language, answer.answer, int(answer.refused),
                json.dumps([c.public() for c in answer.citations], ensure_ascii=False),
                json.dumps([{"chunk_id": r.chunk.id, "score": r.score} for r in answer.retrieved]),
                json.dumps(self.settings_snapshot, default=str), settings_hash,
                answer.timings_ms.total,
            ),
        )

    def record_feedback(
        self,
        rating: int,
        question: str,
        answer: str,
        citations: list[dict[str, Any]],
        channel: Channel,
        user: str | None = None,
        comment: str | None = None,
        turn_id: int | None = None,
    ) -> int:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 (helpful) or -1 (not helpful)")
        return self._write(
            "INSERT INTO feedback (created, channel, user, turn_id, rating, comment, question,"
            " answer, citations, settings) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                time.time(), channel, user, turn_id, rating, (comment or "")[:2000], question,
                answer, json.dumps(citations, ensure_ascii=False),
                json.dumps(self.settings_snapshot, default=str),
            ),
        )

    def feedback(self, rating: int | None = None) -> list[dict[str, Any]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            query = "SELECT * FROM feedback" + (" WHERE rating = ?" if rating is not None else "")
            rows = db.execute(query + " ORDER BY id", (rating,) if rating is not None else ())
            result = [dict(row) for row in rows]
            db.row_factory = None
        return result

    def count(self, table: Literal["turns", "feedback"] = "feedback") -> int:
        with self._connect() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def eval_candidates(self) -> list[dict[str, Any]]:
        """Thumbs-down items as draft golden records, for a person to complete."""
        candidates = []
        for row in self.feedback(rating=-1):
            citations = json.loads(row["citations"])
            candidates.append({
                "id": f"feedback-{row['id']}",
                "question": row["question"],
                "language": "fr" if row["question"] and _looks_french(row["question"]) else "en",
                "category": "fact",
                "critical": False,
                "must_refuse": False,
                "required_facts": [],
                "supporting_docs": sorted({c["doc_id"] for c in citations}),
                "forbidden": [],
                "history": [],
                "notes": {
                    "answer_given": row["answer"],
                    "comment": row["comment"],
                    "channel": row["channel"],
                    "created": row["created"],
                },
            })
        return candidates


    def turn(self, turn_id: int) -> TurnRecord | None:
        """The turn ``log_turn`` wrote under this id, or None when there is no such turn."""
        with self._connect() as db:
            row = db.execute(
                "SELECT question, answer, language, citations FROM turns WHERE id = ?", (turn_id,)
            ).fetchone()
        if row is None:
            return None
        question, answer, language, citations = row
        return TurnRecord(turn_id=turn_id, question=question, answer=answer,
                          language="fr" if language == "fr" else "en", citations=json.loads(citations))


def _looks_french(text: str) -> bool:
    from ..text import detect_language

    return detect_language(text) == "fr"
