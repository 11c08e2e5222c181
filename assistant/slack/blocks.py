"""Block Kit layout of an answer: text split under Slack's limits, sources, refusal note, buttons."""

from __future__ import annotations

import json
import re
from typing import Any

from ..models import Answer, Language
from .messages import say
from .mrkdwn import escape, link, markdown_to_mrkdwn

# Slack rejects a message whose section text exceeds 3,000 characters or that has over 50 blocks;
# a context block holds at most 10 elements.
SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50
CONTEXT_ELEMENTS_LIMIT = 10
SUMMARY_QUOTE_CHARS = 280
FALLBACK_TEXT_LIMIT = 3000

ANSWER_BLOCK_PREFIX = "answer-"
ACTION_HELPFUL = "feedback_helpful"
ACTION_NOT_HELPFUL = "feedback_not_helpful"
ACTION_SHOW_SOURCES = "show_sources"
ACTION_EXPORT_BRIEF = "export_brief"

Block = dict[str, Any]
_URL = re.compile(r"https?://[^\s;,]+")
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")


def split_text(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at the latest paragraph, line, sentence or word."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in _BREAKS:
            position = window.rfind(separator)
            if position > limit // 3:
                cut = position + len(separator.rstrip(" ")) if separator.strip() else position
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def source_url(source: str) -> str | None:
    """The first web address of a citation's ';'-separated sources, if it has one."""
    match = _URL.search(source or "")
    return match.group(0) if match else None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quote(text: str) -> str:
    return "\n".join(f">{line}" for line in escape(text).splitlines() or [""])


def _title(citation: dict[str, Any]) -> str:
    title = str(citation.get("title") or citation.get("doc_id") or "source")
    url = source_url(str(citation.get("source") or ""))
    return link(url, title) if url else escape(title)


def _locator(citation: dict[str, Any]) -> str:
    """Where in the document, without repeating the title the heading path starts with."""
    locator, title = str(citation.get("locator") or ""), str(citation.get("title") or "")
    if title and locator.startswith(f"{title} > "):
        locator = locator[len(title) + 3:]
    return escape(locator)


def citation_summary(citation: dict[str, Any]) -> str:
    """``[n] <url|title> · locator`` and the quote, shortened: one element of the Sources block."""
    locator = _locator(citation)
    head = f"*[{citation['n']}]* {_title(citation)}" + (f" · _{locator}_" if locator else "")
    quote = _shorten(str(citation.get("quote") or ""), SUMMARY_QUOTE_CHARS)
    return _shorten_mrkdwn(f"{head}\n“{escape(quote)}”" if quote else head)


def _shorten_mrkdwn(text: str) -> str:
    return text if len(text) <= SECTION_TEXT_LIMIT else text[: SECTION_TEXT_LIMIT - 1] + "…"


def source_blocks(citations: list[dict[str, Any]], language: Language) -> list[Block]:
    elements = [{"type": "mrkdwn", "text": f"*{say('sources', language)}*"}]
    elements += [{"type": "mrkdwn", "text": citation_summary(c)} for c in citations]
    return [
        {"type": "context", "block_id": f"sources-{i}",
         "elements": elements[start:start + CONTEXT_ELEMENTS_LIMIT]}
        for i, start in enumerate(range(0, len(elements), CONTEXT_ELEMENTS_LIMIT))
    ] if citations else []


def action_block(turn_id: int, language: Language, has_sources: bool, exportable: bool = False) -> Block:
    value = json.dumps({"turn": turn_id})
    buttons: list[Block] = [
        {"type": "button", "action_id": ACTION_HELPFUL, "value": value,
         "text": {"type": "plain_text", "text": f"👍 {say('helpful', language)}", "emoji": True}},
        {"type": "button", "action_id": ACTION_NOT_HELPFUL, "value": value,
         "text": {"type": "plain_text", "text": f"👎 {say('not_helpful', language)}", "emoji": True}},
    ]
    if has_sources:
        buttons.append(
            {"type": "button", "action_id": ACTION_SHOW_SOURCES, "value": value,
             "text": {"type": "plain_text", "text": say("show_sources", language), "emoji": True}}
        )
    if exportable:  # the thread as a strategy brief (PDF), uploaded into it
        buttons.append(
            {"type": "button", "action_id": ACTION_EXPORT_BRIEF, "value": value,
             "text": {"type": "plain_text", "text": f"📄 {say('export_brief', language)}", "emoji": True}}
        )
    return {"type": "actions", "block_id": "feedback", "elements": buttons}


def answer_blocks(answer: Answer, turn_id: int | None, exportable: bool = False) -> list[Block]:
    """The whole answer message; text pieces are dropped (with a note) before anything else.

    ``exportable``: the message offers "Export brief" (the thread is a saved conversation).
    """
    language = answer.language
    citations = [c.public() for c in answer.citations]
    head: list[Block] = []
    if answer.refused:
        head.append({"type": "context", "block_id": "refusal",
                     "elements": [{"type": "mrkdwn", "text": f":information_source: "
                                                             f"{say('refusal_note', language)}"}]})
    tail: list[Block] = source_blocks(citations, language)
    if turn_id is not None:
        tail.append(action_block(turn_id, language, bool(citations), exportable))
    pieces = split_text(markdown_to_mrkdwn(answer.answer)) or [" "]
    room = MAX_BLOCKS - len(head) - len(tail)
    if len(pieces) > room:
        pieces = pieces[: room - 1]
        truncated: Block = {"type": "context", "block_id": "truncated",
                            "elements": [{"type": "mrkdwn", "text": say("truncated", language)}]}
        tail.insert(0, truncated)
    body = [
        {"type": "section", "block_id": f"{ANSWER_BLOCK_PREFIX}{i}",
         "text": {"type": "mrkdwn", "text": piece}}
        for i, piece in enumerate(pieces)
    ]
    return (head + body + tail)[:MAX_BLOCKS]


def fallback_text(answer: Answer) -> str:
    """The message's plain ``text``: notifications, screen readers, and the thread history later."""
    return _shorten_mrkdwn(markdown_to_mrkdwn(answer.answer))[:FALLBACK_TEXT_LIMIT]


def sources_detail_blocks(citations: list[dict[str, Any]], language: Language) -> list[Block]:
    """The "Show sources" reply: every citation with its location and its full quote."""
    if not citations:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": say("no_sources", language)}}]
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn",
                                                         "text": f"*{say('sources', language)}*"}}]
    for citation in citations:
        locator = _locator(citation)
        text = f"*[{citation['n']}]* {_title(citation)}" + (f"\n_{locator}_" if locator else "")
        quote = str(citation.get("quote") or "")
        if quote:
            text += "\n" + _quote(quote)
        blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
                   for piece in split_text(text)]
        blocks.append({"type": "divider"})
    return blocks[: MAX_BLOCKS]


def sources_detail_text(citations: list[dict[str, Any]]) -> str:
    lines = [f"[{c['n']}] {c.get('title', '')}: {c.get('quote', '')}" for c in citations]
    return _shorten_mrkdwn(escape("\n".join(lines)) or "Sources")
