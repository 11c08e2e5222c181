"""Conversations without login belong to the browser: the cookie, and no way into another's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assistant.models import Answer
from assistant.web.conversations import ConversationHandlers
from assistant.web.owner import COOKIE, browser_owner, owner_of
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.ui


class _Request:
    def __init__(self, cookie: str | None = None, username: str | None = None) -> None:
        self.cookies = {COOKIE: cookie} if cookie else {}
        self.username = username
        self.headers: dict[str, str] = {}


def test_the_first_response_sets_an_httponly_cookie_and_keeps_it(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, trust_env=False) as client:
        first = client.get("/")
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        token = client.cookies[COOKIE]
        again = client.get("/")
        assert "set-cookie" not in again.headers and client.cookies[COOKIE] == token
    with httpx.Client(base_url=live_server.url, trust_env=False, cookies={COOKIE: "forged<script>"}) as client:
        assert client.get("/").headers["set-cookie"].startswith(f"{COOKIE}=")  # a malformed token is replaced


def test_the_owner_is_a_digest_of_the_token_or_the_logged_in_user() -> None:
    token = "A" * 43
    assert owner_of(_Request(token), login_required=False) == browser_owner(token)
    assert token not in browser_owner(token)
    assert owner_of(_Request(None), login_required=False) is None
    assert owner_of(_Request("short"), login_required=False) is None
    assert owner_of(_Request(token, "ann"), login_required=True) == "ann"
    assert owner_of(_Request(token, None), login_required=True) is None


def test_a_browser_cannot_open_rename_delete_or_export_another_browsers_conversation(
        live_server: LiveServer) -> None:
    mine, theirs = "m" * 43, "t" * 43
    answer = Answer(question="Combien d'emplois BPO au Kenya ?", answer="Beaucoup [1].", language="fr", refused=False)
    live_server.store.log_turn(answer, "web", browser_owner(mine), conversation="web:owned-by-mine")
    handlers = ConversationHandlers(live_server.web)
    conversation_id = live_server.web.conversations.id_of("web:owned-by-mine", browser_owner(mine))
    assert conversation_id is not None
    request: Any = _Request(theirs)

    opened = handlers.open(conversation_id, request)
    assert "cannot be opened" in opened[4]
    assert handlers.listing(None, request)[0]["choices"] == []
    assert "Ask a question first" in handlers.rename("Stolen", "web:owned-by-mine", request)[2]
    assert "no saved conversation" in handlers.delete("web:owned-by-mine", request)[5]
    assert "Ask a question first" in handlers.export("web:owned-by-mine", request)[2]
    # the owner still has it, untouched
    summary = live_server.web.conversations.owned(browser_owner(mine))
    assert [(s.id, s.title) for s in summary] == [(conversation_id, "Combien d'emplois BPO au Kenya ?")]
    own = handlers.open(conversation_id, _Request(mine))  # type: ignore[arg-type]
    assert own[2] == "web:owned-by-mine" and len(own[1]) == 1
