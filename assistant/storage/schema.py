"""The tables at the head revision, as SQLAlchemy Core objects for the queries.

The migrations in ``migrations/versions`` are what creates and changes them; a test checks that
a database upgraded to head has exactly these tables, columns, indexes and constraints.

- ``conversations``: one per conversation a front end keeps (a Slack thread, a saved web conversation),
  found by ``key`` (``slack:C123:1712345678.000100``, ``web:<uuid>``); ``user`` is its owner (a Slack
  user, a logged-in web user, or ``browser:<digest>`` of the page's cookie) and ``title`` its name.
- ``turns``: every answered question, with its citations and what it was retrieved from; in a
  conversation when it belongs to one.
- ``feedback``: a rating (1 or -1) with an optional comment, on a turn when the turn is known. A
  person gives one rating of each kind to one answer: ``feedback_once_per_rater``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# 64-bit ids on PostgreSQL; on SQLite the id must be exactly INTEGER to be the rowid.
ID = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

conversations = Table(
    "conversations", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("user", Text),
    Column("title", Text),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Index("conversations_key", "key", unique=True),
    Index("conversations_user_updated", "user", "updated"),
    sqlite_autoincrement=True,
)

turns = Table(
    "turns", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("channel", Text, nullable=False),
    Column("user", Text),
    Column("question", Text, nullable=False),
    Column("standalone_question", Text),
    Column("language", Text),
    Column("answer", Text, nullable=False),
    Column("refused", Integer, nullable=False),
    Column("citations", Text, nullable=False),
    Column("retrieved", Text, nullable=False),
    Column("settings", Text, nullable=False),
    Column("settings_hash", Text, nullable=False),
    Column("total_ms", Float),
    Column("conversation_id", ID, ForeignKey("conversations.id", name="turns_conversation_fk")),
    Column("request_id", String(64)),
    Index("turns_conversation", "conversation_id", "id"),
    Index("turns_created", "created"),
    sqlite_autoincrement=True,
)

feedback = Table(
    "feedback", metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("channel", Text, nullable=False),
    Column("user", Text),
    Column("turn_id", ID, ForeignKey("turns.id")),
    Column("rating", Integer, CheckConstraint("rating IN (-1, 1)"), nullable=False),
    Column("comment", Text),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("settings", Text, nullable=False),
    # the user whose rating is unique on its turn: NULL for anonymous feedback and for the older
    # duplicates an upgraded database held (they are kept, outside the constraint)
    Column("rater", Text),
    Index("feedback_rating", "rating"),
    Index("feedback_once_per_rater", "turn_id", "rater", "rating", unique=True),
    Index("feedback_created", "created"),
    Index("feedback_turn", "turn_id"),
    sqlite_autoincrement=True,
)
