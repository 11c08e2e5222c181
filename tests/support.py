"""Helpers shared by test modules (import from here; conftest re-exports them)."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"


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
