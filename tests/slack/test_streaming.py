"""With an LLM, the Slack answer is a draft edited in place as the model writes, then the checked answer."""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.slack import draft
from tests.evaluation.openai_standin import running
from tests.slack.conftest import GENERAL, HarnessFactory
from tests.web.test_streaming import QUESTION, cited_reply

pytestmark = pytest.mark.slack


def test_the_draft_is_posted_then_replaced_by_the_checked_answer(
        make_harness: HarnessFactory, corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(draft, "DRAFT_EDIT_INTERVAL_S", 0.0)  # edit at every token
    with running(cited_reply) as standin:
        llm = Assistant(corpus_settings.with_changes(llm="openai-compatible:cited", llm_base_url=standin.base_url))
        slack = make_harness(llm)
        event = slack.mention(QUESTION)
        posted = slack.answer_to(event)
        slack.drain()
    assert posted.params["text"].startswith("Gartner") and posted.params["text"].endswith(" …")
    updates = slack.api.calls_to("chat.update", channel=GENERAL)
    assert len(updates) > 3 and all(u.params["ts"] == posted.response["ts"] for u in updates)
    last = updates[-1].params
    assert last.get("blocks") and "20%" in last["text"] and not last["text"].endswith(" …")
