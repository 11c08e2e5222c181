"""Who is signed in, from each sign-in's own rules; who may upload. (The flows over HTTP, against a real
provider, are in tests/web/test_oidc.py.)"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.web.auth import Authenticator, Identity, LoginRefused, claim, groups_of, parse_admins
from assistant.web.passwords import PasswordChecker, parse_users
from assistant.web.trusted_proxy import TrustedHeader, parse_networks
from tests.support import hashed_users, make_settings

USERS = hashed_users("alice:s3cret:with:colons, bob:pw")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_users_are_hashes_and_admins_names(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, web_users=USERS, web_admins="alice, ")
    users = parse_users(settings)
    assert set(users) == {"alice", "bob"} and all(h.startswith("$argon2id$") for h in users.values())
    assert parse_admins(settings) == frozenset({"alice"})
    assert parse_users(make_settings(tmp_path)) == {}


@pytest.mark.parametrize(("users", "sentence"), [
    ("alice:s3cret", "plain-text password for 'alice'"),
    ("alice", "user:HASH"),
    ("alice:$argon2id$v=19$m=65536", "not a complete argon2id hash"),
])
def test_plain_or_broken_entries_are_refused_at_start(tmp_path: Path, users: str, sentence: str) -> None:
    with pytest.raises(ValueError, match="assistant hash-password") as refused:
        parse_users(make_settings(tmp_path, web_users=users))
    assert sentence in str(refused.value)


def test_passwords_are_checked_against_the_hash(tmp_path: Path) -> None:
    checker = PasswordChecker(parse_users(make_settings(tmp_path, web_users=USERS)))
    assert checker.check("alice", "s3cret:with:colons")
    assert checker.check("alice", "s3cret:with:colons")  # remembered: the same answer
    assert not checker.check("alice", "s3cret")
    assert not checker.check("mallory", "pw")
    assert not checker.check("bob", "")


@pytest.mark.parametrize(("header", "expected"), [
    (basic("alice", "s3cret:with:colons"), "alice"),
    ("Bearer bob:pw", "bob"),
    (None, None),
])
def test_a_header_proves_a_user(tmp_path: Path, header: str | None, expected: str | None) -> None:
    auth = Authenticator(make_settings(tmp_path, web_users=USERS))
    identity = auth.from_authorization(header)
    assert (identity.name if identity else None) == expected


@pytest.mark.parametrize(("header", "sentence"), [
    (basic("alice", "wrong"), "user name or password is wrong"),
    (basic("mallory", "pw"), "user name or password is wrong"),
    ("Bearer pw", "user:password"),  # no provider configured: a bearer token must be user:password
    ("Basic not-base64!!", "not base64"),
    ("Digest alice", "Basic credentials or a Bearer token"),
])
def test_a_header_that_proves_nothing_gets_a_sentence(tmp_path: Path, header: str, sentence: str) -> None:
    auth = Authenticator(make_settings(tmp_path, web_users=USERS))
    with pytest.raises(LoginRefused, match=sentence):
        auth.from_authorization(header)


def test_admins_are_names_for_passwords_and_a_group_for_the_provider(tmp_path: Path) -> None:
    auth = Authenticator(make_settings(tmp_path, web_users=USERS, web_admins="alice", web_admin_group="admins"))
    assert auth.may_upload(Identity("alice", (), "password"))
    assert not auth.may_upload(Identity("bob", ("admins",), "password"))  # groups come from a provider only
    assert auth.may_upload(Identity("zoe", ("staff", "admins"), "token"))
    assert auth.may_upload(Identity("zoe", ("admins",), "proxy"))
    assert not auth.may_upload(Identity("alice", ("staff",), "session"))  # a provider's name is not enough
    assert not auth.may_upload(None)


def test_without_login_uploads_need_a_loopback_host(tmp_path: Path) -> None:
    assert Authenticator(make_settings(tmp_path)).may_upload(None)
    assert not Authenticator(make_settings(tmp_path, web_host="0.0.0.0")).may_upload(None)


def test_claims_and_groups_are_read_flat_or_nested() -> None:
    claims = {"realm_access": {"roles": ["a", "b"]}, "https://example.com/groups": ["x"], "groups": "p q,r"}
    assert groups_of(claim(claims, "realm_access.roles")) == ("a", "b")
    assert groups_of(claim(claims, "https://example.com/groups")) == ("x",)
    assert groups_of(claim(claims, "groups")) == ("p", "q", "r")
    assert claim(claims, "realm_access.missing") is None and groups_of(None) == ()


@pytest.mark.parametrize(("peer", "trusted"), [
    ("10.1.2.3", True), ("10.2.0.1", False), ("192.168.0.7", True), ("::ffff:10.1.0.9", True),
    ("fd00::1", True), ("127.0.0.1", False), ("not-an-address", False), (None, False),
])
def test_the_proxy_header_is_believed_only_from_the_proxies(peer: str | None, trusted: bool) -> None:
    header = TrustedHeader("x-forwarded-user", "x-forwarded-groups",
                           parse_networks("10.1.0.0/16, 192.168.0.7, fd00::/8"))
    found = header.claims({"x-forwarded-user": "erin", "x-forwarded-groups": "staff, admins"}, peer)
    assert found == (("erin", ("staff", "admins")) if trusted else None)


@pytest.mark.parametrize(("overrides", "sentence"), [
    ({"web_oidc_issuer": "https://idp.example.com"}, "OIDC_CLIENT_ID"),
    ({"web_oidc_issuer": "https://idp.example.com", "web_oidc_client_id": "app", "web_session_secret": "short"},
     "SESSION_SECRET of 32 characters"),
    ({"web_trusted_header": "X-Forwarded-User"}, "needs ASSISTANT_WEB_TRUSTED_PROXIES"),
    ({"web_trusted_header": "X-Forwarded-User", "web_trusted_proxies": "10.0.0.0/33"}, "neither an address"),
])
def test_incomplete_sign_in_settings_are_refused_at_start(tmp_path: Path, overrides: dict[str, str],
                                                          sentence: str) -> None:
    with pytest.raises(ValueError, match=sentence):
        Authenticator(make_settings(tmp_path, **overrides))


def test_a_provider_that_cannot_be_reached_is_a_503_not_a_refusal(tmp_path: Path) -> None:
    auth = Authenticator(make_settings(tmp_path, web_oidc_issuer="http://127.0.0.1:9", web_oidc_client_id="app",
                                       web_session_secret="s" * 40))
    with pytest.raises(LoginRefused, match="cannot be reached") as refused:
        auth.from_authorization("Bearer a.b.c")
    assert refused.value.status == 503


def test_the_hashes_are_secrets_whole(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, web_users=USERS, web_session_secret="s" * 40, web_oidc_client_secret="cs-1")
    secrets = settings.secrets()
    assert all(value in secrets for value in parse_users(settings).values())
    assert "s" * 40 in secrets and "cs-1" in secrets and not any(s.startswith("t=") for s in secrets)


def test_hash_password_prints_a_hash_that_verifies(tmp_path: Path) -> None:
    printed = CliRunner().invoke(app, ["hash-password", "--password-stdin"], input="horse battery\n")
    assert printed.exit_code == 0, printed.output
    hashed = printed.output.strip()
    checker = PasswordChecker(parse_users(make_settings(tmp_path, web_users=f"ann:{hashed}")))
    assert checker.check("ann", "horse battery") and not checker.check("ann", "horse")
    assert CliRunner().invoke(app, ["hash-password", "--password-stdin"], input="\n").exit_code == 2
