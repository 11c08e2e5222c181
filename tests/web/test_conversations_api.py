"""``/api/conversations`` on the real server: each caller's own conversations (an administrator's: everyone's),
read, renamed, deleted and exported as the page's brief; someone else's id answers as one that is not there."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from assistant.models import Turn
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.feedback import TITLE_CHARS
from assistant.web.owner import COOKIE, browser_owner
from tests.support import hashed_users
from tests.web.conftest import LiveServer, serve, web_settings
from tests.workflow.test_brief import flat, pdf_text

pytestmark = pytest.mark.ui

USERS = {"alice": "a-pw", "bob": "b-pw", "root": "r-pw"}
GARTNER = "According to Gartner, what share of firms cut customer service staff because of AI?"
FOLLOW_UP = "And how many hire specialised profiles?"
KENYA = "How many people work in Kenya's BPO sector?"


def converse(server: LiveServer, assistant: Assistant, owner: str, key: str, questions: tuple[str, ...]) -> int:
    """A saved conversation, as the page saves one: each answer logged under ``key`` for ``owner``."""
    history: list[Turn] = []
    for question in questions:
        answer = assistant.ask(question, history)
        assert server.store.log_turn(answer, "web", owner, conversation=key) is not None
        history += [Turn(role="user", content=question), Turn(role="assistant", content=answer.answer)]
    found = ConversationStore(server.store).id_of(key, owner)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def server(assistant: Assistant, corpus_settings: Settings,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = web_settings(tmp_path_factory.mktemp("conversations-api"), corpus_settings.index_dir,
                            web_users=hashed_users(",".join(f"{u}:{p}" for u, p in USERS.items())), web_admins="root",
                            web_user_rate_limit=10_000)
    with serve(settings, assistant) as live:
        yield live


@pytest.fixture(scope="module")
def ids(server: LiveServer, assistant: Assistant) -> dict[str, int]:
    """alice has two conversations (the Gartner one older), bob one."""
    return {"alice-gartner": converse(server, assistant, "alice", "web:alice-1", (GARTNER, FOLLOW_UP)),
            "alice-kenya": converse(server, assistant, "alice", "web:alice-2", (KENYA,)),
            "bob": converse(server, assistant, "bob", "web:bob-1", (KENYA,))}


def client(server: LiveServer, user: str | None) -> httpx.Client:
    auth = (user, USERS[user]) if user else None
    return httpx.Client(base_url=server.url, auth=auth, timeout=120)


def test_a_caller_lists_only_its_own_latest_first_a_page_at_a_time(server: LiveServer, ids: dict[str, int]) -> None:
    with client(server, "alice") as alice:
        listing = alice.get("/api/conversations")
        first = alice.get("/api/conversations", params={"limit": 1})
        second = alice.get("/api/conversations", params={"limit": 1, "offset": 1})
    assert listing.status_code == 200
    body = listing.json()
    assert [c["id"] for c in body["conversations"]] == [ids["alice-kenya"], ids["alice-gartner"]]
    assert body["total"] == 2 and body["next_offset"] is None
    assert {c["owner"] for c in body["conversations"]} == {"alice"}
    assert body["conversations"][1]["turns"] == 2 and body["conversations"][1]["title"] == GARTNER
    assert first.json()["next_offset"] == 1 and [c["id"] for c in first.json()["conversations"]] == [ids["alice-kenya"]]
    assert second.json()["next_offset"] is None
    assert [c["id"] for c in second.json()["conversations"]] == [ids["alice-gartner"]]


def test_an_administrator_sees_everyones(server: LiveServer, ids: dict[str, int]) -> None:
    with client(server, "root") as root:
        listed = root.get("/api/conversations", params={"limit": 100}).json()
        bobs = root.get(f"/api/conversations/{ids['bob']}")
    owners = {c["id"]: c["owner"] for c in listed["conversations"]}
    assert {ids["alice-gartner"]: "alice", ids["alice-kenya"]: "alice", ids["bob"]: "bob"}.items() <= owners.items()
    assert bobs.status_code == 200 and bobs.json()["owner"] == "bob"


def test_get_returns_the_questions_answers_and_citations(server: LiveServer, ids: dict[str, int]) -> None:
    with client(server, "alice") as alice:
        response = alice.get(f"/api/conversations/{ids['alice-gartner']}")
    assert response.status_code == 200
    body = response.json()
    stored = ConversationStore(server.store).get(ids["alice-gartner"], "alice")
    assert stored is not None
    assert [q["question"] for q in body["questions"]] == [GARTNER, FOLLOW_UP]
    assert [q["answer"] for q in body["questions"]] == [t.answer for t in stored.turns]
    first = body["questions"][0]
    assert not first["refused"] and first["language"] == "en" and first["citations"]
    assert set(first["citations"][0]) == {"n", "doc_id", "title", "source", "locator", "quote", "date"}
    assert first["citations"][0]["doc_id"] == stored.turns[0].citations[0]["doc_id"]
    assert first["citations"][0]["quote"] in stored.turns[0].citations[0]["chunk_text"]


def test_rename_changes_the_title_and_a_bad_name_changes_nothing(server: LiveServer, ids: dict[str, int]) -> None:
    path = f"/api/conversations/{ids['alice-kenya']}"
    with client(server, "alice") as alice:
        renamed = alice.patch(path, json={"title": "  Kenya   BPO\nworkforce "})
        assert renamed.status_code == 200 and renamed.json()["title"] == "Kenya BPO workforce"
        for title, said in (("x" * (TITLE_CHARS + 1), f"the limit is {TITLE_CHARS}"), (" \n ", "empty")):
            refused = alice.patch(path, json={"title": title})
            assert refused.status_code == 422 and set(refused.json()) == {"error"} and said in refused.json()["error"]
        assert alice.patch(path, json={}).status_code == 400  # no title at all: the API's usual bad body
        assert alice.get(path).json()["title"] == "Kenya BPO workforce"


def test_export_is_the_pages_brief_in_markdown_and_pdf(server: LiveServer, ids: dict[str, int],
                                                       tmp_path: Path) -> None:
    path = f"/api/conversations/{ids['alice-gartner']}/export"
    with client(server, "alice") as alice:
        markdown = alice.get(path, params={"format": "md"})
        pdf = alice.get(path, params={"format": "pdf"})
        wrong = alice.get(path, params={"format": "docx"})
        questions = alice.get(f"/api/conversations/{ids['alice-gartner']}").json()["questions"]
    answers = [q["answer"] for q in questions]
    quotes = [c["quote"] for q in questions for c in q["citations"]]
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert f'filename="brief-{ids["alice-gartner"]}-' in markdown.headers["content-disposition"]
    text = markdown.text
    assert text.startswith(f"# Strategy brief: {GARTNER}") and f"## 2. {FOLLOW_UP}" in text
    assert "## Sources" in text and "Corpus version" in text
    assert all(flat(answer) in flat(text) for answer in answers)  # the answers as written, markers renumbered
    assert all(f"> {quote}" in text for quote in quotes)  # and every quote they cite
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    (tmp_path / "brief.pdf").write_bytes(pdf.content)
    read_back = flat(pdf_text(tmp_path / "brief.pdf"))
    assert flat(GARTNER) in read_back and flat(FOLLOW_UP) in read_back
    for answer in answers:  # every line of every answer, bullets and all
        assert all(flat(line.removeprefix("- ")) in read_back for line in answer.splitlines())
    assert wrong.status_code == 400


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "1e3", "9" * 40, "%C2%B2", "999999"])
def test_malformed_and_unknown_ids_get_one_plain_sentence(server: LiveServer, bad_id: str) -> None:
    with client(server, "alice") as alice:
        response = alice.get(f"/api/conversations/{bad_id}")
    assert response.status_code == 404
    assert set(response.json()) == {"error"} and response.json()["error"].startswith("There is no conversation")


def test_another_owners_id_answers_as_one_that_is_not_there(server: LiveServer, ids: dict[str, int]) -> None:
    bobs = ids["bob"]
    calls = [("GET", f"/api/conversations/{bobs}", None), ("PATCH", f"/api/conversations/{bobs}", {"title": "mine"}),
             ("DELETE", f"/api/conversations/{bobs}", None), ("GET", f"/api/conversations/{bobs}/export", None)]
    with client(server, "alice") as alice:
        for method, path, body in calls:
            theirs = alice.request(method, path, json=body)
            nobodys = alice.request(method, path.replace(str(bobs), "999999"), json=body)
            assert theirs.status_code == 404, (method, path)
            assert theirs.json()["error"] == nobodys.json()["error"].replace("999999", str(bobs))
    with client(server, "bob") as bob:
        kept = bob.get(f"/api/conversations/{bobs}")
    assert kept.status_code == 200 and kept.json()["title"] == KENYA  # neither renamed nor deleted


def test_delete_removes_it_from_the_list_and_keeps_the_answers(server: LiveServer, assistant: Assistant) -> None:
    doomed = converse(server, assistant, "bob", "web:bob-doomed", (GARTNER,))
    with client(server, "bob") as bob:
        assert bob.delete(f"/api/conversations/{doomed}").status_code == 204
        assert bob.get(f"/api/conversations/{doomed}").status_code == 404
        assert bob.delete(f"/api/conversations/{doomed}").status_code == 404
        assert doomed not in [c["id"] for c in bob.get("/api/conversations").json()["conversations"]]
    with sqlite3.connect(server.settings.feedback_db) as db:
        kept = db.execute("SELECT count(*) FROM turns WHERE question = ? AND \"user\" = 'bob'",
                          (GARTNER,)).fetchone()
    assert kept[0] >= 1  # the answer stays in the turn log (feedback, the gap report)


def test_an_administrator_may_rename_and_delete_anyones(server: LiveServer, assistant: Assistant) -> None:
    theirs = converse(server, assistant, "bob", "web:bob-admin", (KENYA,))
    with client(server, "root") as root:
        assert root.patch(f"/api/conversations/{theirs}", json={"title": "Checked"}).json()["owner"] == "bob"
        assert root.delete(f"/api/conversations/{theirs}").status_code == 204
    with client(server, "bob") as bob:
        assert bob.get(f"/api/conversations/{theirs}").status_code == 404


def test_without_credentials_the_api_answers_401(server: LiveServer, ids: dict[str, int]) -> None:
    with client(server, None) as anonymous:
        for method, path in (("GET", "/api/conversations"), ("GET", f"/api/conversations/{ids['bob']}"),
                             ("DELETE", f"/api/conversations/{ids['bob']}"),
                             ("GET", f"/api/conversations/{ids['bob']}/export")):
            response = anonymous.request(method, path)
            assert response.status_code == 401 and "Log in" in response.json()["error"]
    with httpx.Client(base_url=server.url, auth=("alice", "wrong")) as guessing:
        assert guessing.get("/api/conversations").status_code == 401


def test_the_routes_are_in_the_openapi_schema(server: LiveServer) -> None:
    schema = httpx.get(f"{server.url}/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/conversations"]) == {"get"}
    assert set(paths["/api/conversations/{conversation_id}"]) == {"get", "patch", "delete"}
    assert "get" in paths["/api/conversations/{conversation_id}/export"]
    models = schema["components"]["schemas"]
    assert {"ConversationPageOut", "ConversationDetailOut", "TurnOut", "CitationOut", "RenameRequest"} <= set(models)
    assert models["RenameRequest"]["properties"]["title"]["maxLength"] == TITLE_CHARS


def test_without_login_a_browser_sees_only_its_own(assistant: Assistant, corpus_settings: Settings,
                                                   tmp_path: Path) -> None:
    settings = web_settings(tmp_path, corpus_settings.index_dir)
    token = secrets.token_urlsafe(32)
    with serve(settings, assistant) as live:
        mine = converse(live, assistant, browser_owner(token), "web:browser-1", (KENYA,))
        with httpx.Client(base_url=live.url, cookies={COOKIE: token}, timeout=120) as browser:
            listed = browser.get("/api/conversations").json()
            exported = browser.get(f"/api/conversations/{mine}/export")
        with httpx.Client(base_url=live.url, timeout=120) as stranger:
            theirs = stranger.get("/api/conversations")
            assert stranger.get(f"/api/conversations/{mine}").status_code == 404
    assert [c["id"] for c in listed["conversations"]] == [mine] and exported.status_code == 200
    assert KENYA in exported.text
    assert theirs.status_code == 200 and theirs.json()["conversations"] == []
    assert COOKIE in theirs.headers.get("set-cookie", "")  # a new browser gets its own cookie to keep
