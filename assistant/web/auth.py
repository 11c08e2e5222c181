"""Optional login from settings: who may use the page and the APIs, and who may upload."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress

from ..settings import Settings


def parse_users(settings: Settings) -> dict[str, str]:
    """``user:password,user2:password2`` into a mapping; empty when login is off."""
    raw = settings.web.users.get_secret_value() if settings.web.users else ""
    users: dict[str, str] = {}
    for pair in raw.split(","):
        name, separator, password = pair.strip().partition(":")
        if name and separator and password:
            users[name.strip()] = password
        elif pair.strip():
            raise ValueError("ASSISTANT_WEB_USERS must be comma-separated user:password pairs.")
    return users


def parse_admins(settings: Settings) -> frozenset[str]:
    return frozenset(name.strip() for name in settings.web.admins.split(",") if name.strip())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_password(users: dict[str, str], name: str, password: str) -> bool:
    expected = users.get(name)
    # compare even for unknown names so the timing does not tell which names exist
    return hmac.compare_digest((expected or "\x00").encode(), password.encode()) and expected is not None


def user_from_header(users: dict[str, str], authorization: str | None) -> str | None:
    """The user an ``Authorization`` header proves (Basic, or Bearer ``user:password``), else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    credentials = value.strip()
    if scheme.lower() == "basic":
        try:
            credentials = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    elif scheme.lower() != "bearer":
        return None
    name, separator, password = credentials.partition(":")
    if not separator or not check_password(users, name, password):
        return None
    return name


def may_upload(settings: Settings, users: dict[str, str], admins: frozenset[str], user: str | None) -> bool:
    """Admins when login is on; anyone on a loopback-only server when it is off."""
    if users:
        return user is not None and user in admins
    return is_loopback(settings.web.host)
