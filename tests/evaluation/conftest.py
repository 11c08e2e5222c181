"""`assistant eval` in-process over both suites: indexed once per session into a temporary eval
index, with baselines recorded once from an untouched run (the committed baselines are checked
by their own test, so a sabotage is compared with the code as it is now)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation import suites

Eval = Callable[..., Any]


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No developer environment; eval indexes and baselines under ``home``."""
    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "SLACK_")) or name in {"CHROMA_HOST", "CHROMA_PORT", "OPENAI_API_KEY"}:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_EVAL_INDEX_DIR", str(home / "index"))
    monkeypatch.chdir(home)  # no developer .env
    monkeypatch.setattr(suites, "SUITES", {name: replace(suite, baseline=home / f"baseline-{name}.json")
                                           for name, suite in suites.SUITES.items()})


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["eval", *args], catch_exceptions=False)


@pytest.fixture(scope="session")
def eval_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("eval-home")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, home)
        outcome = invoke("--update-baseline", "--reports-dir", str(home / "first-reports"))
        assert outcome.exit_code == 0, outcome.output
    return home


@pytest.fixture
def run_eval(eval_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Eval:
    """``run_eval(*args)``: the eval CLI against the session's indexes and baselines; reports go to
    ``tmp_path / "reports"`` unless ``--reports-dir`` is given."""
    isolate(monkeypatch, eval_home)

    def run(*args: str) -> Any:
        reports = [] if "--reports-dir" in args else ["--reports-dir", str(tmp_path / "reports")]
        return invoke(*reports, *args)

    return run
