"""The company identity provider seen from the server: its discovery document, its keys, its tokens.

Bearer tokens on /api and /v1 are JWTs the provider signed. A token is believed only when its
signature checks against one of the provider's published keys (JWKS; an asymmetric algorithm,
never ``none`` nor a shared-secret one), and its issuer, audience and expiry are right. The keys
are cached; a token naming a key id the cache does not know makes one fresh fetch (the provider
may have rotated its keys), at most every ``refetch_after_s`` so unknown ids cannot flood it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

DISCOVERY_PATH = "/.well-known/openid-configuration"
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_LEEWAY_S = 60
_HTTP_TIMEOUT_S = 10.0
_REFETCH_AFTER_S = 10.0


class TokenRefused(Exception):
    """A bearer token that proves nothing; the message is the sentence the caller gets."""


class ProviderUnreachable(Exception):
    """The provider's discovery document or keys could not be read."""


class Provider:
    """One OpenID provider: discovery and keys fetched when first needed, then cached."""

    def __init__(self, issuer: str, audience: str, refetch_after_s: float = _REFETCH_AFTER_S) -> None:
        self.issuer = issuer  # exactly as the tokens carry it (some providers end it with a slash)
        self.audience = audience
        self.refetch_after_s = refetch_after_s
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + DISCOVERY_PATH

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=_HTTP_TIMEOUT_S)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnreachable(f"The identity provider could not be read at {url}: {error}") from None
        if not isinstance(data, dict):
            raise ProviderUnreachable(f"The identity provider's answer at {url} is not a JSON object.")
        return data

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                metadata = self._get_json(self.discovery_url)
                if metadata.get("issuer") != self.issuer:
                    raise ProviderUnreachable(
                        f"The identity provider at {self.discovery_url} names another issuer "
                        f"({metadata.get('issuer')!r}); ASSISTANT_WEB_OIDC_ISSUER must be exactly its issuer.")
                self._metadata = metadata
            return self._metadata

    def algorithms(self) -> list[str]:
        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        return [alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS] or ["RS256"]

    def keys(self, refetch: bool = False) -> KeySet:
        """The provider's public keys; ``refetch`` reads them again unless that was done just now."""
        jwks_uri = self.metadata().get("jwks_uri")
        if not jwks_uri:
            raise ProviderUnreachable("The identity provider publishes no jwks_uri.")
        with self._lock:
            stale = refetch and time.monotonic() - self._fetched_at >= self.refetch_after_s
            if self._keys is None or stale:
                self._keys = KeySet.import_key_set(self._get_json(str(jwks_uri)))  # type: ignore[arg-type]
                self._fetched_at = time.monotonic()
            return self._keys

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this provider signed for this audience, still valid; else TokenRefused."""
        registry = JWSRegistry(algorithms=self.algorithms())
        try:
            try:
                decoded = jwt.decode(token, self.keys(), registry=registry)
            except InvalidKeyIdError:
                decoded = jwt.decode(token, self.keys(refetch=True), registry=registry)
        except InvalidKeyIdError:
            raise TokenRefused("The token is signed with a key the identity provider does not publish.") from None
        except BadSignatureError:
            raise TokenRefused("The token's signature does not match the identity provider's keys.") from None
        except UnsupportedAlgorithmError:
            raise TokenRefused("The token is unsigned or signed with an algorithm this server does not "
                               "accept; send a token from the identity provider.") from None
        except (JoseError, ValueError):
            raise TokenRefused("The bearer token is not a token from the identity provider.") from None
        claims: dict[str, Any] = decoded.claims
        requests = jwt.JWTClaimsRegistry(
            leeway=_LEEWAY_S,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )
        try:
            requests.validate(claims)
        except ExpiredTokenError:
            raise TokenRefused("The token has expired; get a new one from the identity provider.") from None
        except (InvalidClaimError, MissingClaimError) as error:
            claim = getattr(error, "claim", "")
            if claim == "iss":
                raise TokenRefused("The token was issued by another identity provider than this server's.") from None
            if claim == "aud":
                raise TokenRefused("The token was issued for another application (its audience is not "
                                   "this server's).") from None
            raise TokenRefused(f"The token's {claim or 'claims'} claim is missing or not valid.") from None
        except JoseError:
            raise TokenRefused("The token's claims are not valid.") from None
        return claims
