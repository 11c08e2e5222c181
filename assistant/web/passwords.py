"""The small-team login: ``ASSISTANT_WEB_USERS`` holds argon2id hashes, never the passwords themselves.

A password is checked with argon2's own ``verify`` (which compares in constant time); a name that
is not on the list is checked against a dummy hash, so the time taken does not tell which names
exist. argon2 is slow on purpose (tens to hundreds of milliseconds), and HTTP Basic sends the
password with every API call, so a proven name and password is remembered for a few minutes, by
a keyed digest only (the key is random per process and never leaves it).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..settings import Settings, login_entries

HASH_PREFIX = "$argon2id$"
_REMEMBER_S = 300.0
_REMEMBER_MOST = 1024
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """What an unknown name's password is checked against (the same time as a known one's): hashed on the
    first check, not at import, where it cost every start a third of a second."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash (salted, with its parameters) to put after ``name:`` in ASSISTANT_WEB_USERS."""
    return _hasher.hash(password)


def parse_users(settings: Settings) -> dict[str, str]:
    """``user:$argon2id$...`` entries into a name -> hash mapping; empty when login is off.

    A plain-text password is refused: the server would otherwise keep working with a secret anyone
    who reads its environment can use.
    """
    raw = settings.web.users.get_secret_value() if settings.web.users else ""
    users: dict[str, str] = {}
    for name, secret in login_entries(raw):
        if not name or not secret:
            raise ValueError("ASSISTANT_WEB_USERS must be comma-separated user:HASH pairs "
                             "(a hash from `assistant hash-password`).")
        if not secret.startswith(HASH_PREFIX):
            raise ValueError(f"ASSISTANT_WEB_USERS holds a plain-text password for {name!r}; store its hash "
                             f"instead: run `assistant hash-password`, then put {name}:<the printed hash> "
                             f"in its place (in a shell or a compose .env file, inside single quotes).")
        try:
            _hasher.check_needs_rehash(secret)  # parses the hash: its parameters must be readable
        except (InvalidHashError, ValueError):
            raise ValueError(f"The password hash of {name!r} in ASSISTANT_WEB_USERS is not a complete "
                             f"argon2id hash; copy the whole line `assistant hash-password` printed.") from None
        users[name] = secret
    return users


class PasswordChecker:
    """Checks names and passwords against the hashes; remembers a proof for a few minutes."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self._key = secrets.token_bytes(32)
        self._proven: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def check(self, name: str, password: str) -> bool:
        expected = self.users.get(name)
        digest = hmac.new(self._key, f"{name}\0{password}\0{expected}".encode(), hashlib.sha256).digest()
        now = time.monotonic()
        with self._lock:
            if expected is not None and self._proven.get(digest, 0.0) > now:
                return True
        try:
            _hasher.verify(expected or _dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if expected is None:
            return False
        with self._lock:
            if len(self._proven) >= _REMEMBER_MOST:
                self._proven = {k: t for k, t in self._proven.items() if t > now}
                if len(self._proven) >= _REMEMBER_MOST:
                    self._proven.clear()
            self._proven[digest] = now + _REMEMBER_S
        return True
