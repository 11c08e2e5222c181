"""Saved conversations and what the manager's workflow reads back from the turn log.

Every read or change of one conversation names its ``owner`` (a Slack user, a logged-in web user,
or ``browser:<digest>`` of the page's cookie) and finds nothing that belongs to someone else: one
browser cannot open, rename, delete or export another's conversation. ``owner=None`` is for the
command line, which reads the database directly (``assistant brief``), and for the administrators
of the JSON API (``/api/conversations``), who see everyone's.

Deleting a conversation removes it from its owner's list and unlinks its answers; the answers
stay in the turn log, where feedback and the corpus-gap report read them, as every answer did
before conversations were kept.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from ..models import Citation, Language
from .feedback import TITLE_CHARS, FeedbackStore
from .schema import conversations, feedback, turns

MAX_LISTED = 100
WEB_PREFIX = "web:"


@dataclass(frozen=True)
class ConversationSummary:
    id: int
    key: str
    channel: str
    title: str
    created: float
    updated: float
    turns: int


@dataclass(frozen=True)
class StoredTurn:
    """One answered question of a conversation, with its citations and the owner's rating of it."""

    turn_id: int
    created: float
    question: str
    answer: str
    language: Language
    refused: bool
    citations: list[dict[str, Any]]
    rating: int | None = None
    comment: str = ""

    def citation_models(self) -> list[Citation]:
        """The citations as the answer had them (older turns lack the passage and the date)."""
        return [Citation(n=int(c.get("n", 0)), chunk_id=str(c.get("chunk_id", "")), doc_id=str(c.get("doc_id", "")),
                         title=str(c.get("title", "")), source=str(c.get("source", "")),
                         locator=str(c.get("locator", "")), quote=str(c.get("quote", "")),
                         quote_start=int(c.get("quote_start", 0) or 0), date=str(c.get("date", "") or ""),
                         chunk_text=str(c.get("chunk_text", "") or ""))
                for c in self.citations if isinstance(c, dict)]


@dataclass(frozen=True)
class StoredConversation:
    summary: ConversationSummary
    owner: str | None
    turns: list[StoredTurn] = field(default_factory=list)


@dataclass(frozen=True)
class ConversationPage:
    """One page of a listing, the latest first: each conversation with its owner, and how many there are."""

    conversations: list[tuple[ConversationSummary, str | None]]
    total: int


class TitleError(ValueError):
    """A conversation name that cannot be kept as given: empty, or over ``TITLE_CHARS``."""


def clean_title(title: str) -> str:
    """The title on one line; ``TitleError`` (one plain sentence) when it is empty or too long."""
    cleaned = " ".join(title.split())
    if not cleaned:
        raise TitleError("The name is empty: give the conversation a name.")
    if len(cleaned) > TITLE_CHARS:
        raise TitleError(f"The name is {len(cleaned):,} characters long; the limit is {TITLE_CHARS}.")
    return cleaned


@dataclass(frozen=True)
class CitingTurn:
    """An answer that cites a document: where the document is cited, and what was quoted."""

    turn_id: int
    created: float
    question: str
    owner: str | None
    conversation_id: int | None
    citations: list[dict[str, Any]]


@dataclass(frozen=True)
class GapCandidate:
    """A question the corpus did not serve: refused, or answered and rated not helpful."""

    kind: Literal["refused", "thumbs_down"]
    question: str
    created: float
    channel: str
    turn_id: int | None
    comment: str = ""


class ConversationStore:
    """Conversations over the tables of a ``FeedbackStore`` (the same database and engine)."""

    def __init__(self, store: FeedbackStore) -> None:
        self.store = store
        self.engine = store.engine

    # -- listing and reading -----------------------------------------------------------
    def owned(self, owner: str, limit: int = MAX_LISTED) -> list[ConversationSummary]:
        """The owner's conversations, the latest first."""
        query = (_summaries().where(conversations.c.user == owner)
                 .order_by(conversations.c.updated.desc(), conversations.c.id.desc()).limit(limit))
        with self.engine.connect() as db:
            return [_summary(row) for row in db.execute(query)]

    def recent(self, limit: int = MAX_LISTED,
               channel: str | None = None) -> list[tuple[ConversationSummary, str | None]]:
        """Everyone's latest conversations with their owners (for the command line)."""
        query = _summaries().order_by(conversations.c.updated.desc(), conversations.c.id.desc()).limit(limit)
        if channel:
            query = query.where(conversations.c.channel == channel)
        with self.engine.connect() as db:
            return [(_summary(row), row.user) for row in db.execute(query)]

    def page(self, owner: str | None, limit: int = MAX_LISTED, offset: int = 0) -> ConversationPage:
        """The owner's conversations (everyone's when ``owner`` is None), the latest first, from ``offset``."""
        query = _summaries().order_by(conversations.c.updated.desc(), conversations.c.id.desc())
        count = select(func.count()).select_from(conversations)
        if owner is not None:
            query, count = query.where(conversations.c.user == owner), count.where(conversations.c.user == owner)
        with self.engine.connect() as db:
            rows = db.execute(query.limit(limit).offset(offset)).all()
            total = int(db.execute(count).scalar() or 0)
        return ConversationPage([(_summary(row), row.user) for row in rows], total)

    def get(self, conversation_id: int, owner: str | None) -> StoredConversation | None:
        """The conversation with its turns, oldest first; None when it is not the owner's."""
        with self.engine.connect() as db:
            row = db.execute(_summaries().where(conversations.c.id == conversation_id)).first()
            if row is None or (owner is not None and row.user != owner):
                return None
            rows = db.execute(select(turns).where(turns.c.conversation_id == conversation_id)
                              .order_by(turns.c.id)).all()
            ratings = _ratings(db, [r.id for r in rows], owner or row.user)
        return StoredConversation(summary=_summary(row), owner=row.user,
                                  turns=[_turn(r, ratings.get(r.id)) for r in rows])

    def id_of(self, key: str, owner: str | None) -> int | None:
        query = select(conversations.c.id, conversations.c.user).where(conversations.c.key == key[:300])
        with self.engine.connect() as db:
            row = db.execute(query).first()
        if row is None or (owner is not None and row.user != owner):
            return None
        return int(row.id)

    def of_turn(self, turn_id: int) -> int | None:
        """The conversation a logged turn belongs to, if any."""
        with self.engine.connect() as db:
            found = db.execute(select(turns.c.conversation_id).where(turns.c.id == turn_id)).scalar()
        return int(found) if found is not None else None

    # -- changing ----------------------------------------------------------------------
    def rename(self, conversation_id: int, owner: str | None, title: str) -> bool:
        """Rename the owner's conversation (anyone's when ``owner`` is None); an over-long title is cut."""
        title = " ".join(title.split())[:TITLE_CHARS]
        if not title:
            return False
        return self.store._write(lambda db: db.execute(
            update(conversations).where(conversations.c.id == conversation_id, *_owned_by(owner))
            .values(title=title)).rowcount > 0)

    def delete(self, conversation_id: int, owner: str | None) -> bool:
        """Delete the owner's conversation (anyone's when ``owner`` is None); its answers stay in the turn log."""
        def work(db: Connection) -> bool:
            found = db.execute(select(conversations.c.id).where(
                conversations.c.id == conversation_id, *_owned_by(owner))).first()
            if found is None:
                return False
            db.execute(update(turns).where(turns.c.conversation_id == conversation_id).values(conversation_id=None))
            db.execute(delete(conversations).where(conversations.c.id == conversation_id))
            return True

        return self.store._write(work)

    def unrate(self, turn_id: int, rater: str) -> int:
        """Remove the rater's ratings of a turn (a changed or withdrawn thumb); how many went."""
        return int(self.store._write(lambda db: db.execute(
            delete(feedback).where(feedback.c.turn_id == turn_id, feedback.c.rater == rater)).rowcount))

    def comment(self, turn_id: int, rater: str, comment: str) -> bool:
        """Add (or replace) the comment of the rater's latest rating of a turn."""
        latest = (select(func.max(feedback.c.id)).where(feedback.c.turn_id == turn_id, feedback.c.rater == rater)
                  .scalar_subquery())
        return self.store._write(lambda db: db.execute(
            update(feedback).where(feedback.c.id == latest).values(comment=comment[:2000])).rowcount > 0)

    # -- what the curator reads --------------------------------------------------------
    def citing(self, doc_id: str, limit: int = 200) -> list[CitingTurn]:
        """The latest answers that cite ``doc_id``, with their citations of it."""
        needle = json.dumps({"doc_id": doc_id}, ensure_ascii=False)[1:-1]
        query = (select(turns.c.id, turns.c.created, turns.c.question, turns.c.user, turns.c.conversation_id,
                        turns.c.citations)
                 .where(turns.c.citations.contains(needle, autoescape=True))
                 .order_by(turns.c.id.desc()).limit(limit))
        found: list[CitingTurn] = []
        with self.engine.connect() as db:
            for row in db.execute(query):
                cited = [c for c in _json_list(row.citations) if c.get("doc_id") == doc_id]
                if cited:
                    found.append(CitingTurn(turn_id=int(row.id), created=float(row.created), question=row.question,
                                            owner=row.user, conversation_id=row.conversation_id, citations=cited))
        return found

    def gap_candidates(self, since: float, until: float | None = None) -> list[GapCandidate]:
        """Refused questions and thumbs-down answers between ``since`` and ``until`` (now), oldest first."""
        until = time.time() if until is None else until
        refused = (select(turns.c.id, turns.c.created, turns.c.question, turns.c.channel)
                   .where(turns.c.refused == 1, turns.c.created >= since, turns.c.created <= until))
        down = (select(feedback.c.turn_id, feedback.c.created, feedback.c.question, feedback.c.channel,
                       feedback.c.comment, turns.c.refused)
                .select_from(feedback.outerjoin(turns, feedback.c.turn_id == turns.c.id))
                .where(feedback.c.rating == -1, feedback.c.created >= since, feedback.c.created <= until))
        found: list[GapCandidate] = []
        with self.engine.connect() as db:
            found += [GapCandidate("refused", r.question, float(r.created), r.channel, int(r.id))
                      for r in db.execute(refused)]
            refused_ids = {c.turn_id for c in found}
            found += [GapCandidate("thumbs_down", r.question, float(r.created), r.channel, r.turn_id, r.comment or "")
                      for r in db.execute(down)
                      # a refusal rated down is one gap, counted once
                      if r.turn_id is None or not (r.turn_id in refused_ids or r.refused)]
        return sorted(found, key=lambda c: c.created)


def _owned_by(owner: str | None) -> list[Any]:
    """The condition that a conversation is the owner's; none when ``owner`` is None (any conversation)."""
    return [] if owner is None else [conversations.c.user == owner]


def _summaries() -> Any:
    count = (select(func.count()).where(turns.c.conversation_id == conversations.c.id)
             .correlate(conversations).scalar_subquery())
    return select(conversations, count.label("turn_count"))


def _summary(row: Any) -> ConversationSummary:
    return ConversationSummary(id=int(row.id), key=row.key, channel=row.channel,
                               title=row.title or f"Conversation {row.id}", created=float(row.created),
                               updated=float(row.updated), turns=int(row.turn_count or 0))


def _ratings(db: Connection, turn_ids: Iterable[int], rater: str | None) -> dict[int, tuple[int, str]]:
    """Each turn's latest rating by ``rater``, with its comment."""
    ids = list(turn_ids)
    if not ids or rater is None:
        return {}
    query = (select(feedback.c.turn_id, feedback.c.rating, feedback.c.comment)
             .where(and_(feedback.c.turn_id.in_(ids), or_(feedback.c.rater == rater, feedback.c.user == rater)))
             .order_by(feedback.c.id))
    return {int(row.turn_id): (int(row.rating), row.comment or "") for row in db.execute(query)}


def _turn(row: Any, rating: tuple[int, str] | None) -> StoredTurn:
    return StoredTurn(turn_id=int(row.id), created=float(row.created), question=row.question, answer=row.answer,
                      language="fr" if row.language == "fr" else "en", refused=bool(row.refused),
                      citations=_json_list(row.citations), rating=rating[0] if rating else None,
                      comment=rating[1] if rating else "")


def _json_list(text: str | None) -> list[dict[str, Any]]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
