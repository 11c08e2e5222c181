"""A thread's history as conversations.replies returns it."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.models import Turn
from assistant.slack.threads import MAX_HISTORY_TURNS, ThreadMemory, history_from_replies, ts_key

pytestmark = pytest.mark.slack

BOT = "UBOT0001"


def answer(ts: str, text: str) -> dict[str, Any]:
    return {"ts": ts, "user": BOT, "bot_id": "BBOT0001", "text": text,
            "blocks": [{"type": "section", "block_id": "answer-0", "text": {"type": "mrkdwn", "text": text}}]}


def test_history_keeps_questions_to_the_bot_and_its_answers() -> None:
    messages = [
        {"ts": "100.000001", "user": "U1", "text": f"<@{BOT}> How many in South Africa?"},
        answer("100.000002", "About 217 000 &amp; growing [1]"),
        {"ts": "100.000003", "user": "U2", "text": "nice, thanks"},
        {"ts": "100.000004", "user": BOT, "text": "Please wait 30 seconds", "blocks": []},
        {"ts": "100.000005", "bot_id": "B0OTHER", "subtype": "bot_message", "text": "build ok"},
        {"ts": "100.000006", "user": "U1", "text": f"<@{BOT}> And Kenya?"},
        {"ts": "100.000010", "user": "U1", "text": f"<@{BOT}> later question"},
    ]
    turns = history_from_replies(messages, "100.000006", BOT, "BBOT0001", direct=False)
    assert turns == [Turn(role="user", content="How many in South Africa?"),
                     Turn(role="assistant", content="About 217 000 & growing [1]")]


def test_direct_message_threads_keep_every_user_message() -> None:
    messages = [{"ts": "5.1", "user": "U1", "text": "Question one"}, answer("5.2", "Answer one")]
    turns = history_from_replies(messages, "5.3", BOT, None, direct=True)
    assert [t.role for t in turns] == ["user", "assistant"]


def test_history_is_capped_to_the_latest_turns() -> None:
    messages = []
    for i in range(1, 20):
        messages.append({"ts": f"7.{2 * i:06d}", "user": "U1", "text": f"q{i}"})
        messages.append(answer(f"7.{2 * i + 1:06d}", f"a{i}"))
    turns = history_from_replies(messages, "9.0", BOT, None, direct=True)
    assert len(turns) == MAX_HISTORY_TURNS and turns[-1].content == "a19"


def test_timestamps_order_exactly() -> None:
    assert ts_key("1712345678.000200") > ts_key("1712345678.000199")
    assert ts_key("1712345679.000001") > ts_key("1712345678.999999")


def test_thread_memory_is_bounded() -> None:
    memory = ThreadMemory(max_threads=2)
    for thread in ("t1", "t2", "t3"):
        memory.add(("C", thread), [Turn(role="user", content=thread)])
    assert memory.get(("C", "t1")) == []
    assert memory.get(("C", "t3")) == [Turn(role="user", content="t3")]
