"""Markdown out to Slack mrkdwn; Slack message text in to the plain question."""

from __future__ import annotations

import pytest

from assistant.slack.mrkdwn import markdown_to_mrkdwn, slack_to_plain

pytestmark = pytest.mark.slack


@pytest.mark.parametrize(("markdown", "mrkdwn"), [
    ("**bold** and *italic* and __also bold__", "*bold* and _italic_ and *also bold*"),
    ("# Title\n## Sub", "*Title*\n*Sub*"),
    ("- one\n* two\n  + nested", "• one\n• two\n  • nested"),
    ("See [the report](https://e.org/a?b=1&c=2) [1]", "See <https://e.org/a?b=1&c=2|the report> [1]"),
    ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
    ("~~old~~ new", "~old~ new"),
    ("`x **not bold** <y>`", "`x **not bold** &lt;y&gt;`"),
    ("```\n**raw**\n```", "```\n**raw**\n```"),
    ("Figures [1][2] stay", "Figures [1][2] stay"),
    ("20 % * 3 = 60 %", "20 % * 3 = 60 %"),
    ("**[Gartner](https://g.com)** says", "*<https://g.com|Gartner>* says"),
    ("---", "──────────"),
])
def test_markdown_to_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert markdown_to_mrkdwn(markdown) == mrkdwn


def test_link_labels_cannot_break_out_of_the_link() -> None:
    assert markdown_to_mrkdwn("[a|b>c](https://e.org)") == "<https://e.org|a/b&gt;c>"


@pytest.mark.parametrize(("slack", "plain"), [
    ("<@UBOT0001> What share of staff?", "What share of staff?"),
    ("<@UBOT0001|assistant>  Et au Kenya ?", "Et au Kenya ?"),
    ("Ask <@U0BOB001> about <#C0GENERAL|general>", "Ask @U0BOB001 about #general"),
    ("see <https://e.org/x|the page> and <https://e.org/y>", "see the page and https://e.org/y"),
    ("<!here> is 5 &lt; 6 &amp; 7 &gt; 2?", "@here is 5 < 6 & 7 > 2?"),
])
def test_slack_to_plain(slack: str, plain: str) -> None:
    assert slack_to_plain(slack, "UBOT0001") == plain
