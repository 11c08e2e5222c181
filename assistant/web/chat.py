"""The page's conversation as a list of entries, and the chat widget's value made from it.

An entry is one question and what came back: an answer (``kind`` "turn", with its logged turn id
and the visitor's rating of it) or an error. A saved conversation opens as the same entries.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..models import Answer, Turn
from ..storage.conversations import StoredTurn
from .render import escape_text, render_answer, render_question

Entry = dict[str, Any]
LIKE, DISLIKE = "Like", "Dislike"


def note(text: str, kind: str = "") -> str:
    return f'<p class="note {kind}">{escape_text(text)}</p>' if text else ""


def answer_entry(answer: Answer, turn_id: int | None, rating: int | None = None) -> Entry:
    return {"kind": "turn", "question": answer.question, "answer": answer.answer, "html": render_answer(answer),
            "refused": answer.refused, "citations": [c.public() for c in answer.citations], "turn_id": turn_id,
            "rated": rating}


def stored_entry(turn: StoredTurn) -> Entry:
    answer = Answer(question=turn.question, answer=turn.answer, language=turn.language, refused=turn.refused,
                    citations=turn.citation_models())
    return answer_entry(answer, turn.turn_id, turn.rating)


def chat_messages(entries: list[Entry]) -> list[dict[str, str]]:
    messages = []
    for entry in entries:
        messages.append({"role": "user", "content": render_question(entry["question"])})
        messages.append({"role": "assistant", "content": entry["html"]})
    return messages


def feedback_values(entries: list[Entry]) -> list[str | None]:
    """The thumbs shown as chosen under each answer: the visitor's own rating of it."""
    return [LIKE if e.get("rated") == 1 else DISLIKE if e.get("rated") == -1 else None for e in entries]


def chat_update(entries: list[Entry], *extra: dict[str, str]) -> Any:
    """The chat widget showing ``entries`` (and a pending or draft bubble after them), ratings included."""
    values = feedback_values(entries) + [None] * sum(1 for m in extra if m["role"] == "assistant")
    return gr.update(value=[*chat_messages(entries), *extra], feedback_value=values)


def history_of(entries: list[Entry]) -> list[Turn]:
    """The conversation so far as the assistant's follow-up handling wants it (errors left out)."""
    turns: list[Turn] = []
    for entry in entries:
        if entry["kind"] == "turn":
            turns += [Turn(role="user", content=entry["question"]),
                      Turn(role="assistant", content=entry["answer"])]
    return turns
