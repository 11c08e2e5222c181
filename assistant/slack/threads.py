"""A thread's earlier turns: read back from Slack (conversations.replies) or kept in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from ..models import Turn
from .blocks import ANSWER_BLOCK_PREFIX
from .mrkdwn import slack_to_plain

MAX_HISTORY_TURNS = 10


def ts_key(ts: str) -> tuple[int, int]:
    """Slack timestamps ('1712345678.000200') ordered exactly, without float rounding."""
    seconds, _, micros = ts.partition(".")
    return int(seconds or 0), int(micros or 0)


def is_answer(message: dict[str, Any]) -> bool:
    """One of the bot's answers, as opposed to its notes (rate limit, errors, hints)."""
    return any(str(block.get("block_id", "")).startswith(ANSWER_BLOCK_PREFIX)
               for block in message.get("blocks") or [])


def history_from_replies(
    messages: Iterable[dict[str, Any]],
    before_ts: str,
    bot_user_id: str | None,
    bot_id: str | None,
    direct: bool,
) -> list[Turn]:
    """Questions put to the bot and its answers, oldest first, up to the current message."""
    turns: list[Turn] = []
    mention = f"<@{bot_user_id}" if bot_user_id else None
    for message in messages:
        if ts_key(str(message.get("ts", "0"))) >= ts_key(before_ts):
            continue
        text = str(message.get("text") or "")
        ours = (bot_user_id is not None and message.get("user") == bot_user_id) or (
            bot_id is not None and message.get("bot_id") == bot_id)
        if ours:
            if is_answer(message) and text.strip():
                turns.append(Turn(role="assistant", content=slack_to_plain(text)))
        elif message.get("bot_id") or message.get("subtype") not in (None, "thread_broadcast"):
            continue
        elif direct or (mention is not None and mention in text):
            question = slack_to_plain(text, bot_user_id)
            if question:
                turns.append(Turn(role="user", content=question))
    return turns[-MAX_HISTORY_TURNS:]


class ThreadMemory:
    """Turns the bot took part in, by thread; bounded so a long-running bot does not grow forever."""

    def __init__(self, max_threads: int = 2000) -> None:
        self.max_threads = max_threads
        self._threads: OrderedDict[tuple[str, ...], list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: tuple[str, ...], turns: list[Turn]) -> None:
        with self._lock:
            kept = self._threads.setdefault(key, [])
            kept.extend(turns)
            del kept[:-MAX_HISTORY_TURNS]
            self._threads.move_to_end(key)
            while len(self._threads) > self.max_threads:
                self._threads.popitem(last=False)

    def get(self, key: tuple[str, ...]) -> list[Turn]:
        with self._lock:
            return list(self._threads.get(key, []))
