"""``assistant slack`` refuses to start, in one line and with exit code 2, when a token is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.slack


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    return CliRunner()


@pytest.mark.parametrize(("env", "named"), [
    ({}, "ASSISTANT_SLACK_BOT_TOKEN is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "ASSISTANT_SLACK_APP_TOKEN is not set"),
    ({"ASSISTANT_SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": "xapp-1"},
     "ASSISTANT_SLACK_BOT_TOKEN must start with 'xoxb-'"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-2-3", "ASSISTANT_SLACK_APP_TOKEN": "xoxb-1-2-3"},
     "ASSISTANT_SLACK_APP_TOKEN must start with 'xapp-'"),
])
def test_missing_or_wrong_tokens_stop_with_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                    env: dict[str, str], named: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["slack"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and named in lines[0]
    assert all(value not in result.output for value in env.values())


def test_slack_command_is_listed(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "slack" in result.output
