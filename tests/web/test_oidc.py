"""Company sign-in against a real OpenID provider on loopback (tests/web/oidc_provider.py).

The whole browser-less flow through the app (page -> provider -> callback -> page), what it
refuses (a foreign state, a forged nonce, a stolen code without its PKCE verifier, a changed
session cookie), the logout; bearer tokens on /api and /v1; administrators from the group claim;
the sign-in proxy's header, believed only from its address; argon2-hashed passwords.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from assistant.api import Assistant
from assistant.web.sign_in import SESSION_COOKIE
from tests.security.test_access import page_event
from tests.support import CORPUS, hashed_users
from tests.web.conftest import LiveServer, serve, web_settings
from tests.web.oidc_provider import ADMIN_GROUP, CLIENT_ID, CLIENT_SECRET, OidcProvider, new_key, running_provider

pytestmark = pytest.mark.security

GARTNER = "What share of companies cut customer-service staff because of AI, according to Gartner?"
NOTE = b"# Sign-in note\n\nThe sign-in pilot in Porto moved 12 agents to reviewing AI answers.\n"
PROXY_USER = {"X-Forwarded-User": "erin", "X-Forwarded-Groups": f"staff,{ADMIN_GROUP}"}


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture(autouse=True)
def _honest_provider(provider: OidcProvider) -> Iterator[None]:
    """Each test starts with the provider's ordinary user and behaviour."""
    key = provider.key
    yield
    provider.key, provider.nonce_override = key, None
    provider.user.name, provider.user.groups = "carol", ["staff"]


def sign_in_settings(tmp: Path, provider: OidcProvider, proxies: str, **overrides: object) -> Any:
    return web_settings(
        tmp, tmp / "index", corpus_dir=tmp / "corpus",
        web_oidc_issuer=provider.issuer, web_oidc_client_id=CLIENT_ID, web_oidc_client_secret=CLIENT_SECRET,
        web_session_secret="a-session-secret-for-tests-only-0123456789", web_admin_group=ADMIN_GROUP,
        web_users=hashed_users("dave:dave-pass-1"), web_admins="dave",
        web_trusted_header="X-Forwarded-User", web_trusted_groups_header="X-Forwarded-Groups",
        web_trusted_proxies=proxies, **overrides)


@pytest.fixture(scope="module")
def servers(provider: OidcProvider,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two servers over one small index: the proxy trusted at 127.0.0.1 (where the tests connect
    from), and the proxy trusted only at 10.0.0.0/8 (so the tests are 'any other address')."""
    tmp = tmp_path_factory.mktemp("oidc")
    (tmp / "corpus").mkdir()
    for name in ("facts/gartner-headcount-survey.en.md", "facts/kenya-bpo.en.md"):
        shutil.copy(CORPUS / name, tmp / "corpus" / Path(name).name)
    settings = sign_in_settings(tmp, provider, "127.0.0.1/32, ::1")
    assistant = Assistant(settings)
    assistant.ingest()
    with serve(settings, assistant) as trusting, \
            serve(sign_in_settings(tmp, provider, "10.0.0.0/8"), assistant) as distrusting:
        yield trusting, distrusting


@pytest.fixture
def server(servers: tuple[LiveServer, LiveServer]) -> LiveServer:
    return servers[0]


def browser(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=120, trust_env=False)


def to_callback(http: httpx.Client) -> str:
    """Start the sign-in and follow it to the provider: the callback URL it sends the browser back to."""
    to_provider = http.get("/auth/login")
    assert to_provider.status_code == 302
    location = to_provider.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    back = http.get(location)
    assert back.status_code == 302, back.text
    return str(back.headers["location"])


@contextmanager
def signed_in(server: LiveServer) -> Iterator[httpx.Client]:
    with browser(server) as http:
        done = http.get(to_callback(http))
        assert done.status_code == 302 and done.headers["location"] == "/", done.text
        yield http


# -- the page's sign-in ---------------------------------------------------------------------------
def test_the_page_signs_in_at_the_provider_and_out_again(server: LiveServer, provider: OidcProvider) -> None:
    with browser(server) as http:
        assert http.get("/config").status_code == 401
        page = http.get("/", follow_redirects=True)  # -> /auth/login -> provider -> /auth/callback -> /
        assert page.status_code == 200 and page.url.path == "/", page.text[:300]
        assert [r.url.path for r in page.history][:3] == ["/", "/auth/login", "/authorize"]
        assert http.get("/config").json()["username"] == "carol"
        session = http.cookies.get(SESSION_COOKIE)
        assert session and "carol" not in session.split(".")[-1]

        out = http.get("/auth/logout", follow_redirects=True)
        assert out.status_code == 200 and "signed out" in out.text
        ended = provider.logouts[-1]
        assert ended["client_id"] == CLIENT_ID and ended["id_token_hint"].count(".") == 2
        assert ended["post_logout_redirect_uri"] == f"{server.url}/auth/signed-out"
        assert http.get("/config").status_code == 401
        again = http.get("/")
        assert again.status_code == 302 and again.headers["location"].startswith("/auth/login")


def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(server: LiveServer) -> None:
    with browser(server) as victim, browser(server) as stranger:
        callback = to_callback(victim)
        assert stranger.get(callback).status_code == 401  # no sign-in was started in this browser
        forged = callback.replace("state=", "state=x")
        assert victim.get(forged).status_code == 401
        assert victim.get("/config").status_code == 401
        assert victim.get(callback).status_code == 302  # the real answer still completes the sign-in
        assert victim.get("/config").status_code == 200


def test_an_id_token_with_another_nonce_is_refused(server: LiveServer, provider: OidcProvider) -> None:
    provider.nonce_override = "a-nonce-from-another-sign-in"
    with browser(server) as http:
        refused = http.get(to_callback(http))
        assert refused.status_code == 401 and "could not be completed" in refused.text
        assert http.get("/config").status_code == 401


def test_a_stolen_code_is_worthless_without_its_pkce_verifier(server: LiveServer, provider: OidcProvider) -> None:
    """The attacker replays the victim's code in the attacker's own sign-in: the app sends the
    attacker's verifier, which does not match the victim's challenge, and the provider refuses."""
    with browser(server) as victim, browser(server) as attacker:
        victim_code = parse_qs(urlsplit(to_callback(victim)).query)["code"][0]
        own = urlsplit(to_callback(attacker))
        attacker_state = parse_qs(own.query)["state"][0]
        replay = attacker.get(f"{own.path}?code={victim_code}&state={attacker_state}")
        assert replay.status_code == 401
        assert provider.refusals[-1] == "pkce"
        assert attacker.get("/config").status_code == 401


def test_a_changed_session_cookie_is_no_session(server: LiveServer) -> None:
    with signed_in(server) as http:
        cookie = http.cookies[SESSION_COOKIE]
        payload, stamp, signature = cookie.split(".")
        forged_user = {"user": {"name": "mallory", "groups": [ADMIN_GROUP]}}
        forged = base64.b64encode(json.dumps(forged_user).encode()).decode()
        for tampered in (f"{forged}.{stamp}.{signature}", f"{payload}.{stamp}.{signature[:-2]}xx"):
            with browser(server) as other:
                other.cookies.set(SESSION_COOKIE, tampered)
                assert other.get("/config").status_code == 401
                assert other.get("/").status_code == 302
        assert http.get("/config").status_code == 200  # the genuine cookie still works


def test_an_admin_by_group_may_upload_on_the_page_and_others_may_not(server: LiveServer,
                                                                      provider: OidcProvider) -> None:
    with signed_in(server) as staff:
        uploaded = staff.post("/gradio_api/upload", files={"files": ("signin-note.md", NOTE)})
        done = page_event(staff, "upload-button", [
            {"path": uploaded.json()[0], "orig_name": "signin-note.md", "meta": {"_type": "gradio.FileData"}}])
        assert "Only administrators" in json.dumps(done), done
    provider.user.groups = ["staff", ADMIN_GROUP]
    with signed_in(server) as admin:
        uploaded = admin.post("/gradio_api/upload", files={"files": ("signin-note.md", NOTE)})
        done = page_event(admin, "upload-button", [
            {"path": uploaded.json()[0], "orig_name": "signin-note.md", "meta": {"_type": "gradio.FileData"}}])
        assert done["success"] is True and "added" in done["output"]["data"][0], done


# -- bearer tokens on /api and /v1 ----------------------------------------------------------------------
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_provider_token_opens_the_apis(server: LiveServer, provider: OidcProvider) -> None:
    token = provider.access_token()
    with browser(server) as http:
        asked = http.post("/api/ask", json={"question": GARTNER}, headers=bearer(token))
        assert asked.status_code == 200 and asked.json()["citations"], asked.text
        chat = http.post("/v1/chat/completions", headers=bearer(token),
                         json={"messages": [{"role": "user", "content": GARTNER}]})
        assert chat.status_code == 200 and chat.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize(("case", "sentence"), [
    ("expired", "has expired"),
    ("wrong issuer", "another identity provider"),
    ("wrong audience", "another application"),
    ("unsigned", "unsigned"),
    ("another key, same key id", "signature does not match"),
    ("another key, unknown key id", "does not publish"),
    ("not a token", "not a token from the identity provider"),
])
@pytest.mark.parametrize("path", ["/api/ask", "/v1/chat/completions"])
def test_bad_tokens_are_refused_with_a_sentence(server: LiveServer, provider: OidcProvider, case: str,
                                                sentence: str, path: str) -> None:
    stranger = new_key("key-1") if case == "another key, same key id" else new_key("key-elsewhere")
    token = {
        "expired": lambda: provider.access_token(exp=1_700_000_000, iat=1_699_999_000),
        "wrong issuer": lambda: provider.access_token(iss="https://login.example.com/evil"),
        "wrong audience": lambda: provider.access_token(aud="another-app"),
        "unsigned": provider.unsigned_token,
        "another key, same key id": lambda: provider.access_token(key=stranger),
        "another key, unknown key id": lambda: provider.access_token(key=stranger),
        "not a token": lambda: "abc.def.ghi",
    }[case]()
    body = {"question": GARTNER} if path == "/api/ask" else {"messages": [{"role": "user", "content": GARTNER}]}
    before = server.store.count("turns")
    with browser(server) as http:
        refused = http.post(path, json=body, headers=bearer(token))
    assert refused.status_code == 401, refused.text
    error = refused.json()["error"]
    message = error["message"] if path.startswith("/v1/") else error  # /v1 answers in OpenAI's error shape
    assert sentence in message and message.endswith(".")
    assert "Bearer" in refused.headers["WWW-Authenticate"]
    assert server.store.count("turns") == before


def test_rotated_provider_keys_are_fetched_again(server: LiveServer, provider: OidcProvider) -> None:
    with browser(server) as http:
        assert http.get("/v1/models", headers=bearer(provider.access_token())).status_code == 200
        assert server.web.auth.provider is not None
        server.web.auth.provider.refetch_after_s = 0.0
        provider.key = new_key("key-2")
        assert http.get("/v1/models", headers=bearer(provider.access_token())).status_code == 200


def test_uploads_through_the_api_follow_the_group_claim(server: LiveServer, provider: OidcProvider) -> None:
    with browser(server) as http:
        staff = http.post("/api/admin/upload", headers=bearer(provider.access_token(groups=["staff"])),
                          files={"file": ("api-note.md", NOTE)})
        assert staff.status_code == 403
        named_like_an_admin = provider.access_token(preferred_username="dave", groups=[])
        refused = http.post("/api/admin/upload", headers=bearer(named_like_an_admin),
                            files={"file": ("api-note.md", NOTE)})
        assert refused.status_code == 403  # ASSISTANT_WEB_ADMINS names count for password sign-ins only
        admin = http.post("/api/admin/upload", headers=bearer(provider.access_token(groups=[ADMIN_GROUP])),
                          files={"file": ("api-note.md", NOTE)})
        assert admin.status_code == 201, admin.text


# -- the sign-in proxy's header, and passwords ------------------------------------------------------------
def test_the_proxy_header_counts_only_from_the_proxy(servers: tuple[LiveServer, LiveServer]) -> None:
    trusting, distrusting = servers
    with browser(trusting) as http:
        assert http.post("/api/ask", json={"question": GARTNER}, headers=PROXY_USER).status_code == 200
        assert http.get("/", headers=PROXY_USER).status_code == 200
        assert http.get("/config", headers=PROXY_USER).json()["username"] == "erin"
        upload = http.post("/api/admin/upload", headers=PROXY_USER, files={"file": ("proxy-note.md", NOTE)})
        assert upload.status_code == 201, upload.text
    with browser(distrusting) as http:
        refused = http.post("/api/ask", json={"question": GARTNER}, headers=PROXY_USER)
        assert refused.status_code == 401 and refused.json()["error"].startswith("Log in first")
        assert http.get("/config", headers=PROXY_USER).status_code == 401
        assert http.get("/", headers=PROXY_USER).status_code == 302  # to the provider's sign-in instead
        upload = http.post("/api/admin/upload", headers=PROXY_USER, files={"file": ("proxy-note.md", NOTE)})
        assert upload.status_code == 401


def test_hashed_passwords_still_open_the_apis(server: LiveServer) -> None:
    def basic(user: str, password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    with browser(server) as http:
        asked = http.post("/api/ask", json={"question": GARTNER}, headers=basic("dave", "dave-pass-1"))
        assert asked.status_code == 200
        assert http.get("/v1/models", headers=bearer("dave:dave-pass-1")).status_code == 200
        wrong = http.post("/api/ask", json={"question": GARTNER}, headers=basic("dave", "dave-pass-2"))
        assert wrong.status_code == 401 and wrong.json()["error"] == "The user name or password is wrong."
        assert http.get("/v1/models", headers=bearer("eve:dave-pass-1")).status_code == 401
