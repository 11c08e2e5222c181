"""The schema before Alembic: turns and feedback (the old store's PRAGMA user_version 1).

An SQLite file made by that store has exactly these tables; it is stamped at this revision
without running it, and upgraded from here.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "turns",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("user", sa.Text),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("standalone_question", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("retrieved", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("settings_hash", sa.Text, nullable=False),
        sa.Column("total_ms", sa.Float),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "feedback",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("user", sa.Text),
        sa.Column("turn_id", ID, sa.ForeignKey("turns.id")),
        sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 1)"), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("feedback_rating", "feedback", ["rating"])


def downgrade() -> None:
    op.drop_index("feedback_rating", table_name="feedback")
    op.drop_table("feedback")
    op.drop_table("turns")
