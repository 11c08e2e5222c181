"""Helpers shared by test modules (import from here; conftest re-exports them)."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from assistant.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only: fast to verify


def hashed_users(pairs: str) -> str:
    """``alice:pw,bob:pw2`` as ASSISTANT_WEB_USERS wants it: each password replaced by an argon2id hash."""
    entries = (pair.strip().partition(":") for pair in pairs.split(",") if pair.strip())
    return ",".join(f"{name}:{_CHEAP_HASHER.hash(password)}" for name, _, password in entries)


def make_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings isolated in ``tmp``: no .env, no developer environment."""
    values: dict[str, object] = {
        "index_dir": tmp / "index",
        "feedback_db": tmp / "feedback.sqlite3",
        "upload_dir": tmp / "uploads",
        "corpus_dir": CORPUS,
    }
    values.update(overrides)
    return Settings.isolated(**values)
