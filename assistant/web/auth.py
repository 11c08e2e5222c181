"""Who is calling, from the sign-ins the settings turn on, and who may upload.

Four ways to be signed in, each optional:

- a password from ``ASSISTANT_WEB_USERS`` (argon2id hashes): HTTP Basic or ``Bearer user:password``
  on /api and /v1, Gradio's sign-in form on the page (when it is the only sign-in);
- a bearer JWT from the company's OpenID provider on /api and /v1 (``provider.py``);
- the page's OpenID Connect sign-in, kept in a signed session cookie (``oidc_login.py``);
- a header set by a sign-in proxy in front, believed only from its addresses (``trusted_proxy.py``).

Administrators are the names in ``ASSISTANT_WEB_ADMINS`` for password sign-ins, and the members of
``ASSISTANT_WEB_ADMIN_GROUP`` for the provider's and the proxy's sign-ins: a name chosen at the
provider (which a user may sometimes edit) never makes anyone an administrator.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..settings import Settings
from .passwords import PasswordChecker, parse_users
from .trusted_proxy import TrustedHeader

if TYPE_CHECKING:  # the provider's client (httpx, joserfc) is imported only when a provider is set
    from .provider import Provider

log = logging.getLogger(__name__)
Via = Literal["password", "token", "session", "proxy"]
SESSION_KEY = "user"
_SHORTEST_SESSION_SECRET = 32


@dataclass(frozen=True)
class Identity:
    """A signed-in user: the name, the groups the provider or proxy vouched for, and how."""

    name: str
    groups: tuple[str, ...] = ()
    via: Via = "password"


class LoginRefused(Exception):
    """Credentials were sent and prove nothing (401), or cannot be checked now (503); the message is the
    sentence the caller gets."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


def parse_admins(settings: Settings) -> frozenset[str]:
    return frozenset(name.strip() for name in settings.web.admins.split(",") if name.strip())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def claim(claims: Mapping[str, Any], name: str) -> Any:
    """A claim by its name, or by a dotted path into nested claims (Keycloak's ``realm_access.roles``)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def groups_of(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(g for g in value.replace(",", " ").split() if g)
    if isinstance(value, list | tuple):
        return tuple(str(g) for g in value if str(g))
    return ()


class Authenticator:
    """The sign-ins the settings turn on, checked at start (a plain sentence for a wrong setting)."""

    def __init__(self, settings: Settings) -> None:
        web = settings.web
        self.settings = settings
        self.passwords = PasswordChecker(parse_users(settings))
        self.admins = parse_admins(settings)
        self.admin_group = web.admin_group.strip()
        self.trusted = TrustedHeader.from_settings(settings)
        self.provider: Provider | None = None
        if web.oidc_issuer.strip():
            if not web.oidc_client_id.strip():
                raise ValueError("ASSISTANT_WEB_OIDC_ISSUER needs ASSISTANT_WEB_OIDC_CLIENT_ID, this "
                                 "application's client id at the identity provider.")
            secret = web.session_secret.get_secret_value() if web.session_secret else ""
            if len(secret) < _SHORTEST_SESSION_SECRET:
                raise ValueError("ASSISTANT_WEB_OIDC_ISSUER needs ASSISTANT_WEB_SESSION_SECRET of 32 characters "
                                 "or more (the same on every replica), e.g. from "
                                 "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`.")
            from .provider import Provider

            self.provider = Provider(web.oidc_issuer.strip(), web.oidc_audience.strip() or web.oidc_client_id.strip())

    @property
    def users(self) -> dict[str, str]:
        return self.passwords.users

    @property
    def login_required(self) -> bool:
        return bool(self.users) or self.provider is not None or self.trusted is not None

    @property
    def page_uses_password_form(self) -> bool:
        """Gradio's own sign-in form: only when passwords are the sole sign-in."""
        return bool(self.users) and self.provider is None and self.trusted is None

    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value of a 401 on /api and /v1."""
        schemes = (['Basic realm="assistant"'] if self.users else []) + (
            ['Bearer realm="assistant"'] if self.provider is not None else [])
        return ", ".join(schemes) or 'Basic realm="assistant"'

    def sign_in_hint(self) -> str:
        ways = (["HTTP Basic credentials (or the API key user:password)"] if self.users else []) + (
            ["a bearer token from the identity provider"] if self.provider is not None else []) + (
            ["your request through the sign-in proxy"] if self.trusted is not None else [])
        return "Log in first: send " + " or ".join(ways) + "."

    def from_api_request(self, headers: Mapping[str, str], peer: str | None) -> Identity:
        """The caller of /api or /v1: the proxy's header (from a proxy), else the Authorization header;
        LoginRefused with the sentence to show otherwise."""
        identity = self.from_proxy(headers, peer) or self.from_authorization(headers.get("authorization"))
        if identity is None:
            raise LoginRefused(self.sign_in_hint())
        return identity

    # -- the identity of a request -------------------------------------------------------------
    def from_proxy(self, headers: Mapping[str, str], peer: str | None) -> Identity | None:
        if self.trusted is None:
            return None
        found = self.trusted.claims({k.lower(): v for k, v in headers.items()}, peer)
        return Identity(found[0], found[1], "proxy") if found else None

    def from_claims(self, claims: Mapping[str, Any], via: Via) -> Identity:
        web = self.settings.web
        name = next((str(v) for c in (web.oidc_username_claim, "email", "sub") if (v := claim(claims, c))), "")
        if not name:
            raise LoginRefused("The identity provider's token names no user (no username, email or sub claim).")
        return Identity(name, groups_of(claim(claims, web.oidc_groups_claim)), via)

    def from_authorization(self, authorization: str | None) -> Identity | None:
        """The user an ``Authorization`` header proves; None when there is none; LoginRefused when it
        proves nothing."""
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        credentials = value.strip()
        if scheme.lower() == "basic":
            try:
                credentials = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise LoginRefused("The Basic credentials are not base64 of user:password.") from None
        elif scheme.lower() != "bearer":
            raise LoginRefused("Send HTTP Basic credentials or a Bearer token.")
        name, separator, password = credentials.partition(":")
        if separator:
            if self.users and self.passwords.check(name, password):
                return Identity(name, (), "password")
            raise LoginRefused("The user name or password is wrong.")
        if self.provider is None:
            raise LoginRefused("Send the API key as user:password.")
        from .provider import ProviderUnreachable, TokenRefused

        try:
            return self.from_claims(self.provider.verify(credentials), "token")
        except TokenRefused as refused:
            raise LoginRefused(str(refused)) from None
        except ProviderUnreachable as error:
            log.warning("%s", error)
            raise LoginRefused("The identity provider cannot be reached to check the token; try again in a "
                               "moment.", 503) from None

    def from_session(self, session: Mapping[str, Any] | None) -> Identity | None:
        stored = (session or {}).get(SESSION_KEY)
        if self.provider is None or not isinstance(stored, dict) or not stored.get("name"):
            return None
        return Identity(str(stored["name"]), tuple(str(g) for g in stored.get("groups") or ()), "session")

    # -- what an identity may do -----------------------------------------------------------------
    def is_admin(self, identity: Identity | None) -> bool:
        if identity is None:
            return False
        if identity.via == "password":
            return identity.name in self.admins
        return bool(self.admin_group) and self.admin_group in identity.groups

    def may_upload(self, identity: Identity | None) -> bool:
        """Admins when login is on; anyone on a loopback-only server when it is off."""
        if self.login_required:
            return self.is_admin(identity)
        return is_loopback(self.settings.web.host)
