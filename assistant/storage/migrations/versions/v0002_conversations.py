"""Conversations, turns in a conversation, and one rating of each kind per person and answer.

- ``conversations``: a conversation a front end keeps, found by its ``key`` (Slack thread memory
  today; the web's saved conversations next).
- ``turns.conversation_id`` and ``turns.request_id`` (the log lines of the request that answered).
- ``feedback.rater`` under the unique index ``feedback_once_per_rater (turn_id, rater, rating)``:
  "already rated" is the database's answer. Ratings an older database already held twice are
  all kept: the first of each keeps ``rater``, the repeats have none and so stay outside the index.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_FIRST_OF_EACH_RATING = """
UPDATE feedback SET rater = "user"
WHERE id IN (SELECT MIN(id) FROM feedback WHERE turn_id IS NOT NULL AND "user" IS NOT NULL
             GROUP BY turn_id, "user", rating)
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("conversations_key", "conversations", ["key"], unique=True)
    op.create_index("conversations_user_updated", "conversations", ["user", "updated"])
    if _sqlite():  # SQLite adds a column with its reference in place; Alembic would copy the table
        op.execute("ALTER TABLE turns ADD COLUMN conversation_id INTEGER "
                   "CONSTRAINT turns_conversation_fk REFERENCES conversations (id)")
    else:
        op.add_column("turns", sa.Column("conversation_id", ID))
        op.create_foreign_key("turns_conversation_fk", "turns", "conversations", ["conversation_id"], ["id"])
    op.add_column("turns", sa.Column("request_id", sa.String(64)))
    op.create_index("turns_conversation", "turns", ["conversation_id", "id"])
    op.add_column("feedback", sa.Column("rater", sa.Text))
    op.execute(_FIRST_OF_EACH_RATING)
    op.create_index("feedback_once_per_rater", "feedback", ["turn_id", "rater", "rating"], unique=True)


def downgrade() -> None:
    op.drop_index("feedback_once_per_rater", table_name="feedback")
    op.drop_index("turns_conversation", table_name="turns")
    if _sqlite():
        op.execute("ALTER TABLE feedback DROP COLUMN rater")
        op.execute("ALTER TABLE turns DROP COLUMN request_id")
        # a column with a reference cannot be dropped in place: copy the table without it
        with op.batch_alter_table("turns", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.drop_column("conversation_id")
    else:
        op.drop_column("feedback", "rater")
        op.drop_column("turns", "request_id")
        op.drop_constraint("turns_conversation_fk", "turns", type_="foreignkey")
        op.drop_column("turns", "conversation_id")
    op.drop_index("conversations_user_updated", table_name="conversations")
    op.drop_index("conversations_key", table_name="conversations")
    op.drop_table("conversations")
