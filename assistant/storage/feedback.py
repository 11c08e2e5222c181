"""Every answered turn, the conversations they belong to, and the users' feedback (web and Slack alike).

One store over SQLAlchemy Core: an SQLite file by default, PostgreSQL when ``ASSISTANT_DATABASE_URL``
is set, so every replica writes to one database. The schema is migrated by Alembic when the store
opens (``database.migrate``). A person rates an answer once per kind of rating: the database's
unique index says so, and ``record_feedback`` raises ``AlreadyRated``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..errors import AlreadyRated, DatabaseDown, StorageError, UnknownTurn
from ..logs import NO_REQUEST, current_request_id
from ..models import Answer, Citation, Language, Turn
from ..settings import Settings
from .database import database_url, describe, migrate, open_engine, report_server_down
from .schema import conversations, feedback, turns

log = logging.getLogger(__name__)

Channel = Literal["web", "slack", "api", "cli"]
T = TypeVar("T")
_TABLES = {"turns": turns, "feedback": feedback, "conversations": conversations}
_WRITE_ATTEMPTS = 20
_MAX_ID = 2**63  # ids are 64-bit signed integers in both databases
TITLE_CHARS = 120


def stored_citation(citation: Citation) -> dict[str, Any]:
    """A citation as a turn keeps it: the public fields, and what a saved conversation and a brief show
    later (the date, the whole passage and where the quote sits in it)."""
    return {**citation.public(), "date": citation.date, "chunk_id": citation.chunk_id,
            "quote_start": citation.quote_start, "chunk_text": citation.chunk_text}


@dataclass(frozen=True)
class TurnRecord:
    """An answered turn read back by id, so a button clicked hours later is tied to its answer."""

    turn_id: int
    question: str
    answer: str
    language: Language
    citations: list[dict[str, Any]]


class FeedbackStore:
    """``target``: an SQLite file (a path) or a database URL; the schema is upgraded on opening."""

    def __init__(self, target: Path | str, settings_snapshot: dict[str, Any] | None = None,
                 *, upgrade: bool = True) -> None:
        self.engine: Engine = open_engine(target)
        report_server_down(self.engine)  # a server that is down is DatabaseDown, said plainly by every front end
        self.settings_snapshot = settings_snapshot or {}
        self._settings_json = json.dumps(self.settings_snapshot, default=str)
        self._settings_hash = hashlib.sha256(
            json.dumps(self.settings_snapshot, sort_keys=True, default=str).encode()).hexdigest()[:16]
        if upgrade:
            try:
                migrate(self.engine)
            except OperationalError as error:
                raise StorageError(f"The database {describe(self.engine)} cannot be opened "
                                   f"({_reason(error)}); check ASSISTANT_DATABASE_URL.") from error

    @classmethod
    def for_settings(cls, settings: Settings, snapshot: dict[str, Any] | None = None) -> FeedbackStore:
        """The store the settings name (``database_url``, else ``feedback_db``)."""
        return cls(database_url(settings), settings.answer_fingerprint() if snapshot is None else snapshot)

    @property
    def database(self) -> str:
        return describe(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing -----------------------------------------------------------------------
    def _write(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction, retried while another writer holds SQLite's lock."""
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except OperationalError as error:
                message = str(error.orig)
                if "locked" not in message and "busy" not in message:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise StorageError(f"The database {self.database} stayed locked; please try again.")

    def log_turn(self, answer: Answer, channel: Channel, user: str | None = None,
                 conversation: str | None = None) -> int | None:
        """Log one answered turn (in ``conversation`` when given); its id ties later feedback to it.

        The one turn logger of every front end: a failed write costs the log line and the feedback
        buttons, never the answer (with the database down, answers go on without their turn ids).
        """
        try:
            return self._write(lambda db: self._insert_turn(db, answer, channel, user, conversation))
        except DatabaseDown as error:
            log.warning("the %s turn was not logged: %s", channel, error)
            return None
        except Exception:
            log.exception("could not log the %s turn; answering without feedback buttons", channel)
            return None

    def _insert_turn(self, db: Connection, answer: Answer, channel: Channel, user: str | None,
                     conversation: str | None) -> int:
        now = time.time()
        conversation_id = (self._conversation_id(db, conversation, channel, user, now, answer.question)
                           if conversation else None)
        request_id = current_request_id()
        result = db.execute(insert(turns).values(
            created=now, channel=channel, user=user, question=answer.question,
            standalone_question=answer.standalone_question, language=answer.language,
            answer=answer.answer, refused=int(answer.refused),
            citations=json.dumps([stored_citation(c) for c in answer.citations], ensure_ascii=False),
            retrieved=json.dumps([{"chunk_id": r.chunk.id, "score": r.score} for r in answer.retrieved]),
            settings=self._settings_json, settings_hash=self._settings_hash, total_ms=answer.timings_ms.total,
            conversation_id=conversation_id, request_id=None if request_id == NO_REQUEST else request_id,
        ))
        return _new_id(result.inserted_primary_key)

    def _conversation_id(self, db: Connection, key: str, channel: str, user: str | None, now: float,
                         first_question: str = "") -> int:
        """The id of conversation ``key``, created on first use (by whichever replica is first) and
        named after its first question."""
        values = {"key": key[:300], "channel": channel, "user": user, "created": now, "updated": now,
                  "title": " ".join(first_question.split())[:TITLE_CHARS] or None}
        # The dialect's own INSERT (ON CONFLICT), imported at first use: PostgreSQL's module is a tenth of a
        # second of a start that may never write to PostgreSQL.
        if db.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            db.execute(postgresql.insert(conversations).values(**values)
                       .on_conflict_do_nothing(index_elements=["key"]))
        else:
            from sqlalchemy.dialects import sqlite

            db.execute(sqlite.insert(conversations).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        db.execute(update(conversations).where(conversations.c.key == values["key"]).values(updated=now))
        found = db.execute(select(conversations.c.id).where(conversations.c.key == values["key"])).scalar_one()
        return int(found)

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
        """Store one rating; ``AlreadyRated`` when this user gave this rating to this turn before,
        ``UnknownTurn`` when ``turn_id`` names no logged turn."""
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 (helpful) or -1 (not helpful)")
        if turn_id is not None and not 0 < turn_id < _MAX_ID:
            raise UnknownTurn(f"There is no answer with turn id {turn_id}.")
        values = {
            "created": time.time(), "channel": channel, "user": user, "turn_id": turn_id, "rating": rating,
            "comment": (comment or "")[:2000], "question": question, "answer": answer,
            "citations": json.dumps(citations, ensure_ascii=False), "settings": self._settings_json,
            "rater": user if turn_id is not None else None,
        }
        try:
            return self._write(lambda db: _new_id(db.execute(insert(feedback).values(**values))
                                                  .inserted_primary_key))
        except IntegrityError as error:
            if _is_unique_violation(error):
                raise AlreadyRated("You already gave this rating to this answer.") from None
            if turn_id is not None and self.turn(turn_id) is None:
                raise UnknownTurn(f"There is no answer with turn id {turn_id}.") from None
            raise

    # -- conversations -----------------------------------------------------------------
    def conversation_history(self, key: str, max_turns: int = 10) -> list[Turn]:
        """The last questions and answers of conversation ``key``, oldest first, as chat turns."""
        pairs = max(1, (max_turns + 1) // 2)
        query = (select(turns.c.question, turns.c.answer).join(conversations)
                 .where(conversations.c.key == key[:300]).order_by(turns.c.id.desc()).limit(pairs))
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        history: list[Turn] = []
        for question, answered in reversed(rows):
            history += [Turn(role="user", content=question), Turn(role="assistant", content=answered)]
        return history[-max_turns:]

    # -- reading -----------------------------------------------------------------------
    def feedback(self, rating: int | None = None) -> list[dict[str, Any]]:
        query = select(feedback).order_by(feedback.c.id)
        if rating is not None:
            query = query.where(feedback.c.rating == rating)
        with self.engine.connect() as db:
            return [dict(row._mapping) for row in db.execute(query)]

    def count(self, table: Literal["turns", "feedback", "conversations"] = "feedback") -> int:
        with self.engine.connect() as db:
            return int(db.execute(select(func.count()).select_from(_TABLES[table])).scalar_one())

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
                "supporting_docs": sorted({c["doc_id"] for c in citations if isinstance(c, dict) and "doc_id" in c}),
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
        if not 0 < turn_id < _MAX_ID:
            return None
        query = select(turns.c.question, turns.c.answer, turns.c.language, turns.c.citations).where(
            turns.c.id == turn_id)
        with self.engine.connect() as db:
            row = db.execute(query).first()
        if row is None:
            return None
        question, answer, language, citations = row
        return TurnRecord(turn_id=turn_id, question=question, answer=answer,
                          language="fr" if language == "fr" else "en", citations=json.loads(citations))


def _new_id(key: Any) -> int:
    assert key is not None
    return int(key[0])


def _is_unique_violation(error: IntegrityError) -> bool:
    code = getattr(error.orig, "sqlstate", None)
    if code is not None:
        return bool(code == "23505")
    return "UNIQUE constraint failed" in str(error.orig)


def _reason(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0][:200] if error.orig else error.__class__.__name__


def _looks_french(text: str) -> bool:
    from ..text import detect_language

    return detect_language(text) == "fr"
