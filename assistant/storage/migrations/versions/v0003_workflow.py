"""Saved conversations, feedback per answer and the corpus-gap report read turns and ratings by date.

- ``turns_created`` and ``feedback_created``: the gap report asks for the refused questions and the
  thumbs-down answers of a period.
- ``feedback_turn``: the page shows each answer's rating when a saved conversation is opened.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("turns_created", "turns", ["created"])
    op.create_index("feedback_created", "feedback", ["created"])
    op.create_index("feedback_turn", "feedback", ["turn_id"])


def downgrade() -> None:
    op.drop_index("feedback_turn", table_name="feedback")
    op.drop_index("feedback_created", table_name="feedback")
    op.drop_index("turns_created", table_name="turns")
