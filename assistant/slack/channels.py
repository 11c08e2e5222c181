"""Where and how the bot answers: per-channel settings from a YAML/JSON file or from Settings.

File format (YAML or JSON; every key optional)::

    defaults:
      respond_only_when_tagged: true   # false: answer every message (needs message.channels events)
      answers: public                  # or ephemeral: visible to the asker only
    allowed_channels: [C0123ABCD]      # channel ids; empty or absent: every channel the bot is in
    direct_messages: true
    channels:
      C0123ABCD: {answers: ephemeral}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ChannelConfigError
from ..settings import Settings

AnswerVisibility = Literal["public", "ephemeral"]


class ChannelPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    respond_only_when_tagged: bool = True
    answers: AnswerVisibility = "public"


class ChannelOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    respond_only_when_tagged: bool | None = None
    answers: AnswerVisibility | None = None


class ChannelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: ChannelPolicy = Field(default_factory=ChannelPolicy)
    allowed_channels: list[str] = Field(default_factory=list)
    direct_messages: bool = True
    channels: dict[str, ChannelOverride] = Field(default_factory=dict)

    def allows(self, channel: str) -> bool:
        return not self.allowed_channels or channel in self.allowed_channels

    def policy(self, channel: str) -> ChannelPolicy:
        override = self.channels.get(channel)
        if override is None:
            return self.defaults
        return self.defaults.model_copy(update=override.model_dump(exclude_none=True))


def from_settings(settings: Settings) -> ChannelSettings:
    return ChannelSettings(
        defaults=ChannelPolicy(
            respond_only_when_tagged=settings.slack.respond_only_when_tagged,
            answers="ephemeral" if settings.slack.ephemeral_answers else "public",
        ),
        allowed_channels=[c.strip() for c in settings.slack.allowed_channels.split(",") if c.strip()],
    )


def load_channel_settings(settings: Settings) -> ChannelSettings:
    """Settings give the defaults; the file, when there is one, overrides them key by key."""
    base = from_settings(settings)
    path = settings.slack.channels_file
    if path is None:
        return base
    data = _read(Path(path))
    merged: dict[str, Any] = base.model_dump()
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ChannelConfigError(f"{path}: 'defaults' must be a mapping.")
    merged["defaults"] = {**merged["defaults"], **defaults}
    merged.update({key: value for key, value in data.items() if key != "defaults"})
    try:
        return ChannelSettings.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ChannelConfigError(f"{path}: {where}: {first['msg']}.") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ChannelConfigError(f"Cannot read the Slack channels file {path}: {error.strerror}.") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        reason = str(error).splitlines()[0]
        raise ChannelConfigError(f"The Slack channels file {path} is not valid: {reason}.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ChannelConfigError(f"The Slack channels file {path} must hold a mapping at the top level.")
    return data
