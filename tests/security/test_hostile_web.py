"""Hostile input through the HTTP APIs and the chat page: one plain error, or a grounded answer shown as text.

The core is tested with the same kind of input in test_hostile_questions.py; here it arrives the way
an attacker sends it (raw JSON over HTTP, the page's own handler) and nothing may be lost on the way.
"""

from __future__ import annotations

import json
import re
import sqlite3
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.models import Answer, Citation
from assistant.web.render import render_answer, render_card, render_draft, render_error, render_question
from assistant.web.ui import PageHandlers
from tests.security.conftest import client, counts
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.security

PUBLIC_KEYS = {"question", "answer", "language", "refused", "citations", "timings_ms", "warnings", "mode"}
SCRIPT = '<script>alert(document.cookie)</script><img src=x onerror="alert(1)">'

# (what it is, the question, the status it must get, the start of the error for a 400)
HOSTILE: list[tuple[str, str, int, str]] = [
    ("control characters", "Gartner\x00\x01\x07\x1b[2J\x7f staff cuts\x0b\x0c because of AI?", 200, ""),
    ("only control characters", "\x00\x01\x02\x1b\x7f", 400, "The question is empty."),
    ("only whitespace", " \t\r\n \u00a0\u3000 ", 400, "The question is empty."),
    ("100k characters", "Gartner " * 12_500, 400, "The question is 99,999 characters long; the limit is 2,000."),
    ("100k multibyte characters", "人工智能" * 25_000, 400,
     "The question is 100,000 characters long; the limit is 2,000."),
    ("only punctuation", "?!?!... ;;; --- *** ¿¡ «» …", 200, ""),
    ("mixed scripts", "Gartner 20% 人工智能 الذكاء الاصطناعي искусственный интеллект ציון 🤖?", 200, ""),
    ("bidi and zero-width", "\u202eGartner\u202c \ufeff\u200b\u200d headcount \u2066cuts\u2069?", 200, ""),
    ("lone surrogates", "How many jobs does Kenya \ud800 target \udfff?", 200, ""),
    ("SQL", "'; DROP TABLE feedback; DELETE FROM turns; -- what did Gartner find?", 200, ""),
    ("SQL tautology", "1' OR '1'='1' UNION SELECT * FROM feedback --", 200, ""),
    ("HTML and JS", f"{SCRIPT} How many agents does Salesforce offer?", 200, ""),
    ("attribute breakout", '"><svg/onload=alert(1)> \' onmouseover=\'alert(2) javascript:alert(3)', 200, ""),
    ("template and format strings", "{{7*7}} ${jndi:ldap://127.0.0.1/a} %s%s%n {0.__class__} Gartner", 200, ""),
    ("markdown and Slack syntax", "**[click](javascript:alert(1))** <!channel> <@U123> ``` Gartner ```", 200, ""),
]


def raw_post(http: Any, path: str, body: dict[str, Any]) -> Any:
    """The body as a client would send it, lone surrogates included (escaped, as JSON allows)."""
    return http.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def turns(server: LiveServer) -> int:
    return server.store.count("turns")


def check_answer_object(body: dict[str, Any]) -> None:
    assert set(body) == PUBLIC_KEYS
    assert body["refused"] == (body["citations"] == [])
    numbers = {c["n"] for c in body["citations"]}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])} <= numbers


def check_one_sentence(body: dict[str, Any], start: str) -> None:
    assert set(body) == {"error"}
    message = body["error"] if isinstance(body["error"], str) else body["error"]["message"]
    assert message.startswith(start)
    assert "\n" not in message and len(message) < 300 and "Traceback" not in message


@pytest.mark.parametrize(("question", "status", "error"), [case[1:] for case in HOSTILE],
                         ids=[case[0] for case in HOSTILE])
def test_hostile_questions_on_the_json_api(web_server: LiveServer, question: str, status: int,
                                           error: str) -> None:
    before, turns_before = counts(web_server), turns(web_server)
    with client(web_server) as http:
        response = raw_post(http, "/api/ask", {"question": question})
        assert response.status_code == status, response.text[:300]
        if status == 200:
            check_answer_object(response.json())
        else:
            check_one_sentence(response.json(), error)
        assert http.get("/api/health").status_code == 200  # the server still answers
    assert counts(web_server) == before
    assert turns(web_server) == turns_before + (status == 200)


@pytest.mark.parametrize(("question", "status", "error"), [case[1:] for case in HOSTILE],
                         ids=[case[0] for case in HOSTILE])
def test_hostile_questions_on_the_openai_api(web_server: LiveServer, question: str, status: int,
                                             error: str) -> None:
    before = counts(web_server)
    history = [{"role": "user", "content": SCRIPT}, {"role": "assistant", "content": SCRIPT + "\ud800"}]
    with client(web_server) as http:
        response = raw_post(http, "/v1/chat/completions",
                            {"model": "any", "messages": [*history, {"role": "user", "content": question}]})
        assert response.status_code == status, response.text[:300]
        if status == 200:
            assert response.json()["choices"][0]["message"]["content"]
        else:
            check_one_sentence(response.json(), error)
            assert response.json()["error"]["code"] == status
    assert counts(web_server) == before


def test_hostile_history_is_answered_or_refused_plainly(web_server: LiveServer) -> None:
    before = counts(web_server)
    history = [{"role": "user", "content": text} for _, text, _, _ in HOSTILE[:4] + HOSTILE[8:]]
    history += [{"role": "user", "content": "How many jobs does Kenya \ud83d target?"},
                {"role": "assistant", "content": SCRIPT + "\ud800"}]
    with client(web_server) as http:
        response = raw_post(http, "/api/ask", {"question": "And Ghana?", "history": history})
        assert response.status_code == 200, response.text[:300]
        check_answer_object(response.json())
    assert counts(web_server) == before


def test_sql_in_feedback_is_stored_as_text_and_nothing_else_changes(web_server: LiveServer) -> None:
    payload = "'); DROP TABLE feedback; DELETE FROM turns WHERE 1=1; --"
    before, turns_before = counts(web_server), turns(web_server)
    with client(web_server) as http:
        response = raw_post(http, "/api/feedback", {
            "rating": -1, "question": payload, "answer": SCRIPT, "comment": payload + "\x00 tail",
            "citations": [{"n": "1 OR 1=1", "doc_id": payload}],
        })
    assert response.status_code == 201, response.text
    row = next(r for r in web_server.store.feedback() if r["id"] == response.json()["id"])
    assert (row["question"], row["answer"], row["comment"]) == (payload, SCRIPT, payload + "\x00 tail")
    assert json.loads(row["citations"]) == [{"n": "1 OR 1=1", "doc_id": payload}]
    assert web_server.store.count() == before.feedback + 1 and turns(web_server) == turns_before
    with sqlite3.connect(web_server.settings.feedback_db) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"feedback", "turns"} <= tables


@pytest.mark.parametrize("body", [
    {"rating": 1, "question": "Kenya \ud800 jobs?", "answer": "a"},
    {"rating": 1, "question": "q", "answer": "a", "comment": "\udc00 lone"},
    {"rating": 1, "question": "q", "answer": "a", "citations": [{"quote": "\ud83d"}]},
], ids=["question", "comment", "citation"])
def test_feedback_with_lone_surrogates_is_kept_or_refused_plainly(web_server: LiveServer,
                                                                  body: dict[str, Any]) -> None:
    before = web_server.store.count()
    with client(web_server) as http:
        response = raw_post(http, "/api/feedback", body)
        assert response.status_code in (201, 400), response.text
        if response.status_code == 400:
            check_one_sentence(response.json(), "")
        assert http.get("/api/health").status_code == 200
    assert web_server.store.count() == before + (response.status_code == 201)


_LIST_TEXT = st.lists(st.one_of(
    st.text(max_size=40),
    st.sampled_from([SCRIPT, "\x00", "\r", "\r\n", "\u2028", "'; DROP TABLE turns; --", "[1]", "\ud800",
                     "Gartner", "Kenya", "20 %", "人工智能"]),
), max_size=12).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=_LIST_TEXT)
def test_any_text_on_the_api_gets_a_plain_error_or_an_answer(web_server: LiveServer, question: str) -> None:
    with client(web_server) as http:
        response = raw_post(http, "/api/ask", {"question": question})
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 200:
        check_answer_object(response.json())
    else:
        check_one_sentence(response.json(), "The question is empty.")


# -- the page ----------------------------------------------------------------------------------
_ALLOWED_TAGS = {"div", "p", "ul", "ol", "li", "button", "span", "section", "h3", "dl", "dt", "dd", "mark",
                 "a", "br", "aside"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def check_markup(html: str) -> None:
    """Only the page's own tags, no event handlers, links only to the web, and one line.

    One line matters: the chat widget renders markdown, and a blank line would end the HTML block.
    """
    assert "\n" not in html and "\r" not in html
    parser = _Markup()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in _ALLOWED_TAGS, (tag, html[:300])
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        href = attrs.get("href")
        assert href is None or re.match(r"https?://", href), href
        assert "src" not in attrs and "style" not in attrs


def page_messages(outputs: list[tuple[Any, ...]]) -> list[str]:
    """Every HTML string the page's ask handler sent to the chat widget."""
    messages: list[str] = []
    for chat, *_ in outputs:
        value = chat.get("value") if isinstance(chat, dict) else chat  # a gr.update() of the chat, or its value
        if isinstance(value, list):
            messages.extend(str(message["content"]) for message in value)
    return messages


@pytest.mark.parametrize("question", [case[1] for case in HOSTILE if case[2] == 200],
                         ids=[case[0] for case in HOSTILE if case[2] == 200])
def test_the_page_shows_hostile_questions_and_their_answers_as_text(web_server: LiveServer,
                                                                    question: str) -> None:
    before = counts(web_server)
    handlers = PageHandlers(web_server.web)
    outputs = list(handlers.ask(question, [], None))  # type: ignore[arg-type]
    shown = page_messages(outputs)
    assert shown and "error-note" not in shown[-1]
    for html in shown:
        check_markup(html)
    assert counts(web_server) == before
    entries = outputs[-1][2]
    assert entries[-1]["question"] == question  # kept as typed, for the follow-up and the feedback


def test_the_page_refuses_a_100k_question_with_one_sentence_and_keeps_it(web_server: LiveServer) -> None:
    question = "Gartner " * 12_500
    outputs = list(PageHandlers(web_server.web).ask(question, [], None))  # type: ignore[arg-type]
    assert len(outputs) == 1
    _, kept, entries, note, *_ = outputs[0]
    assert kept == question and entries == []
    assert "99,999 characters long; the limit is 2,000" in note and "\n" not in note


_TEXT = st.text(max_size=200) | st.sampled_from([SCRIPT, '"><svg onload=alert(1)>', "a\r\rb", "x\n\n<b>y</b>"])


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, title=_TEXT, locator=_TEXT, source=_TEXT | st.just("javascript:alert(1); https://e.org/x\"y"),
       date=_TEXT, refused=st.booleans())
def test_rendered_html_never_carries_markup_from_text(text: str, title: str, locator: str, source: str,
                                                      date: str, refused: bool) -> None:
    quote = text[: len(text) // 2]
    citation = Citation(n=1, chunk_id="c", doc_id="d", title=title, source=source, locator=locator,
                        quote=quote, quote_start=0, date=date, chunk_text=text)
    answer = Answer(question=text, answer=f"{text} [1]", language="en", refused=refused,
                    citations=[] if refused else [citation])
    check_markup(render_question(text))
    check_markup(render_error(text))
    check_markup(render_answer(answer))
    check_markup(render_draft(answer.answer))
    check_markup(render_card(citation, "fr"))
