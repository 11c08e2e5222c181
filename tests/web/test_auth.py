"""Optional login: HTTP Basic or Bearer user:password, and who may upload."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from assistant.web.auth import may_upload, parse_admins, parse_users, user_from_header
from tests.support import make_settings

USERS = {"alice": "s3cret:with:colons", "bob": "pw"}


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_users_and_admins_come_from_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, web_users="alice:s3cret:with:colons, bob:pw", web_admins="alice, ")
    assert parse_users(settings) == USERS
    assert parse_admins(settings) == frozenset({"alice"})
    assert parse_users(make_settings(tmp_path)) == {}
    with pytest.raises(ValueError, match="user:password"):
        parse_users(make_settings(tmp_path, web_users="alice"))


@pytest.mark.parametrize(("header", "expected"), [
    (basic("alice", "s3cret:with:colons"), "alice"),
    ("Bearer bob:pw", "bob"),
    (basic("alice", "wrong"), None),
    (basic("mallory", "pw"), None),
    ("Bearer pw", None),
    ("Basic not-base64!!", None),
    ("Digest alice", None),
    (None, None),
])
def test_header_proves_a_user(header: str | None, expected: str | None) -> None:
    assert user_from_header(USERS, header) == expected


def test_uploads_need_an_admin_with_login_and_a_loopback_host_without(tmp_path: Path) -> None:
    local = make_settings(tmp_path)
    exposed = make_settings(tmp_path, web_host="0.0.0.0")
    assert may_upload(local, {}, frozenset(), None)
    assert not may_upload(exposed, {}, frozenset(), None)
    assert may_upload(exposed, USERS, frozenset({"alice"}), "alice")
    assert not may_upload(local, USERS, frozenset({"alice"}), "bob")
    assert not may_upload(local, USERS, frozenset({"alice"}), None)
