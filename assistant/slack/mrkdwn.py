"""Text conversion at the Slack edge: Markdown out to Slack mrkdwn, Slack message text in to plain text."""

from __future__ import annotations

import re
from collections.abc import Callable

_FENCE = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\((\S+?)\)")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
# '|' or '<' inside would turn the autolink into a Slack link with a label the document chose
_BARE_URL = re.compile(r"<(https?://[^<>|\s]+)>")
_LINKABLE = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$", re.MULTILINE)
_ITALIC_STAR = re.compile(r"(?<![*\w])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![*\w])")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")

_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SLACK_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_SPECIAL = re.compile(r"<!(\w+)(?:\^[^|>]*)?(?:\|([^>]*))?>")


def escape(text: str) -> str:
    """Slack's three control characters; everything else is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link; '|' and '>' cannot appear inside the label, so they are replaced.

    Only web and mail addresses become links: anything else (``<!here>``, ``javascript:``) is shown as text.
    """
    clean = escape(label.replace("|", "/")).strip() or escape(url)
    if not _LINKABLE.match(url):
        return clean
    return f"<{url.replace('<', '%3C').replace('>', '%3E').replace('|', '%7C')}|{clean}>"


def markdown_to_mrkdwn(markdown: str) -> str:
    """Convert the Markdown an answer may hold (bold, italics, links, lists, headings) to mrkdwn.

    Code spans and links are set aside first so that escaping and emphasis rules leave them whole.
    """
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value)
        return f"\x00{len(kept) - 1}\x00"

    def protect(pattern: re.Pattern[str], render: Callable[[re.Match[str]], str], text: str) -> str:
        return pattern.sub(lambda match: keep(render(match)), text)

    text = markdown.replace("\r\n", "\n")
    text = protect(_FENCE, lambda m: escape(m.group(0)), text)
    text = protect(_INLINE_CODE, lambda m: escape(m.group(0)), text)
    text = protect(_IMAGE, lambda m: link(m.group(2), m.group(1) or m.group(2)), text)
    text = protect(_LINK, lambda m: link(m.group(2), m.group(1)), text)
    text = protect(_BARE_URL, lambda m: f"<{m.group(1)}>", text)
    text = escape(text)
    text = _RULE.sub("──────────", text)
    text = _HEADING.sub(lambda m: keep(f"*{m.group(1).strip('*_ ')}*"), text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _ITALIC_STAR.sub(r"_\1_", text)
    text = _BOLD.sub(lambda m: keep(f"*{m.group(2)}*"), text)
    text = _STRIKE.sub(r"~\1~", text)
    while _PLACEHOLDER.search(text):
        text = _PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], text)
    return text


def slack_to_plain(text: str, bot_user_id: str | None = None) -> str:
    """The question a person typed: the bot's own mention removed, links and entities unwrapped."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _SLACK_USER.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _SLACK_SPECIAL.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()
