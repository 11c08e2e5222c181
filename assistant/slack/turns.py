"""Read back an answered turn by id, so a button clicked hours later can still be tied to its answer."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from ..feedback import FeedbackStore
from ..models import Language


@dataclass(frozen=True)
class TurnRecord:
    turn_id: int
    question: str
    answer: str
    language: Language
    citations: list[dict[str, Any]]


def load_turn(store: FeedbackStore, turn_id: int) -> TurnRecord | None:
    """The ``turns`` row ``FeedbackStore.log_turn`` wrote, or None when there is no such turn."""
    with closing(sqlite3.connect(store.path, timeout=30)) as db:
        row = db.execute(
            "SELECT question, answer, language, citations FROM turns WHERE id = ?", (turn_id,)
        ).fetchone()
    if row is None:
        return None
    question, answer, language, citations = row
    return TurnRecord(
        turn_id=turn_id, question=question, answer=answer,
        language="fr" if language == "fr" else "en", citations=json.loads(citations),
    )
