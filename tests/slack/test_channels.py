"""Channel settings: from Settings, overridden by a YAML or JSON file; bad files fail in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import ChannelConfigError
from assistant.slack.channels import load_channel_settings
from tests.support import make_settings

pytestmark = pytest.mark.slack


def test_settings_alone_give_the_defaults(tmp_path: Path) -> None:
    channels = load_channel_settings(make_settings(
        tmp_path, slack_allowed_channels=" C1, C2 ,", slack_ephemeral_answers=True))
    assert channels.allowed_channels == ["C1", "C2"]
    assert channels.allows("C1") and not channels.allows("C3")
    assert channels.policy("C1").answers == "ephemeral"
    assert channels.policy("C1").respond_only_when_tagged is True


def test_no_allowed_list_means_every_channel(tmp_path: Path) -> None:
    assert load_channel_settings(make_settings(tmp_path)).allows("C0ANY")


def test_yaml_file_overrides_settings_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(
        "defaults:\n  answers: ephemeral\n"
        "allowed_channels: [C0A, C0B]\n"
        "direct_messages: false\n"
        "channels:\n  C0B: {respond_only_when_tagged: false, answers: public}\n",
        encoding="utf-8",
    )
    channels = load_channel_settings(make_settings(tmp_path, slack_channels_file=path,
                                                   slack_respond_only_when_tagged=True))
    assert channels.allowed_channels == ["C0A", "C0B"] and channels.direct_messages is False
    assert channels.policy("C0A").answers == "ephemeral"
    assert channels.policy("C0A").respond_only_when_tagged is True
    assert channels.policy("C0B").answers == "public"
    assert channels.policy("C0B").respond_only_when_tagged is False


def test_json_file_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "channels.json"
    path.write_text(json.dumps({"channels": {"C0X": {"answers": "ephemeral"}}}), encoding="utf-8")
    channels = load_channel_settings(make_settings(tmp_path, slack_channels_file=path))
    assert channels.policy("C0X").answers == "ephemeral" and channels.policy("C0Y").answers == "public"


@pytest.mark.parametrize(("content", "message"), [
    ("defaults:\n  answers: loud\n", "defaults.answers"),
    ("channels:\n  C0A: {tagged: true}\n", "channels.C0A.tagged"),
    ("allowed_channels: [C0A\n", "is not valid"),
    ("- just\n- a list\n", "must hold a mapping"),
])
def test_bad_files_fail_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ChannelConfigError) as raised:
        load_channel_settings(make_settings(tmp_path, slack_channels_file=path))
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert str(path) in str(raised.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ChannelConfigError, match="Cannot read the Slack channels file"):
        load_channel_settings(make_settings(tmp_path, slack_channels_file=tmp_path / "nope.yaml"))
