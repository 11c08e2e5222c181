"""What the bot posts cannot ping a channel, mention people or hide a link: &, < and > are escaped.

Answers quote documents (and, with an LLM, generated text), so any text can reach a Slack message;
only the bot's own links (``<https://...|label>``) may use Slack's control characters.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.api import Assistant
from assistant.models import Answer, Citation
from assistant.slack.blocks import (
    answer_blocks,
    citation_summary,
    fallback_text,
    sources_detail_blocks,
    sources_detail_text,
)
from assistant.slack.mrkdwn import markdown_to_mrkdwn
from tests.slack.conftest import (  # noqa: F401  (fixtures used by the end-to-end test)
    HarnessFactory,
    _no_slack_env,
    block_texts,
    make_harness,
    slack_api,
)
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.security

_OUR_LINK = re.compile(r"<(?:https?|mailto):[^<>|\s]+(?:\|[^<>]*)?>")
_BAD_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
PAYLOADS = ["<!channel>", "<!here|here>", "<!everyone>", "<@U0ADMIN1>", "<#C0SECRET|secret>",
            "<https://evil.example|Gartner>", "<javascript:alert(1)|x>", "[a](<!here>)", "[b](javascript:alert(1))",
            "[c](http://e.org/<!channel>)", "![d](<@U0ADMIN1>)", "<http://e.org|<!here>>", "& &amp; &lt;",
            "```<!channel>```", "`<@U0ADMIN1>`", "*bold* _it_ ~s~ > quote"]


def check_mrkdwn(text: str) -> None:
    """Outside the bot's own links and quote marks there is no '<' or '>', and every '&' starts an escape."""
    assert not re.search(r"<[!@#]", text), text
    rest = re.sub(r"(?m)^>", "", _OUR_LINK.sub("", text))  # a '>' opening a line is the bot's own blockquote
    assert "<" not in rest and ">" not in rest, text
    assert not _BAD_AMPERSAND.search(rest), text


def all_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return block_texts(blocks)


_TEXT = st.lists(st.text(max_size=30) | st.sampled_from(PAYLOADS), max_size=8).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, title=_TEXT, quote=_TEXT, locator=_TEXT,
       source=_TEXT | st.sampled_from(["https://e.org/a?b=1&c=2", "https://e.org/<!here>", "http://x|<@U1>"]),
       refused=st.booleans())
def test_every_text_in_a_slack_answer_is_escaped(text: str, title: str, quote: str, locator: str, source: str,
                                                 refused: bool) -> None:
    citation = Citation(n=1, chunk_id="c", doc_id="d", title=title, source=source, locator=locator,
                        quote=quote, quote_start=0, chunk_text=quote)
    answer = Answer(question="q", answer=f"{text} [1]", language="en", refused=refused,
                    citations=[] if refused else [citation])
    public = [citation.public()]
    texts = [*all_texts(answer_blocks(answer, turn_id=7)), fallback_text(answer), citation_summary(public[0]),
             *all_texts(sources_detail_blocks(public, "fr")), sources_detail_text(public)]
    for mrkdwn in texts:
        check_mrkdwn(mrkdwn)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_listed_payloads_are_shown_as_text(payload: str) -> None:
    converted = markdown_to_mrkdwn(f"Gartner says {payload} [1]")
    check_mrkdwn(converted)
    assert converted.endswith("[1]")
    assert "<https://evil.example|" not in converted  # a document cannot disguise a link with Slack syntax


def test_ordinary_links_still_work() -> None:
    assert markdown_to_mrkdwn("See [the report](https://e.org/a?b=1&c=2)") == "See <https://e.org/a?b=1&c=2|the report>"
    assert markdown_to_mrkdwn("At <https://e.org/x>.") == "At <https://e.org/x>."


HOSTILE_DOC = """---
id: zephyr-pilot
title: "<!here> Zephyr & co <script>alert(1)</script>"
language: en
sources: ["https://e.org/report?a=1&b=<!channel>", "<@U0ADMIN1>"]
---
# Zephyr pilot

In the Zephyr pilot <!channel> the Lisbon service centre moved 40 agents to reviewing AI answers & \
escalations <@U0ADMIN1> <https://evil.example|Gartner> [read more](javascript:alert(1)).
"""


def test_a_hostile_document_quoted_in_slack_pings_nobody(make_harness: HarnessFactory,  # noqa: F811
                                                         tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "facts" / "kenya-bpo.en.md", corpus / "kenya-bpo.en.md")
    (corpus / "zephyr.md").write_text(HOSTILE_DOC, encoding="utf-8")
    bot_assistant = Assistant(make_settings(tmp_path / "bot", corpus_dir=corpus))
    bot_assistant.ingest()
    slack = make_harness(bot_assistant)

    answer = slack.answer_to(slack.mention("How many agents did the Zephyr pilot move to reviewing AI answers?"))
    texts = [answer.params["text"], *all_texts(answer.params["blocks"])]
    assert any("40 agents" in text for text in texts)
    assert any("&lt;!channel&gt;" in text for text in texts)
    for text in texts:
        check_mrkdwn(text)
    assert slack.click("show_sources", answer).status_code == 200
    sources = slack.api.wait_for("chat.postEphemeral", channel=answer.params["channel"])[-1]
    assert "Zephyr" in sources.params["text"]
    for text in [sources.params["text"], *all_texts(sources.params["blocks"])]:
        check_mrkdwn(text)
