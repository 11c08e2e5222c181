"""The bot's bookkeeping: per-user and per-channel rate limits, and the events and messages seen once.

Kept in this process by default; with ``ASSISTANT_REDIS_URL`` in Redis, so that replicas behind one
Slack app share them: a retry of an event delivered to another replica is skipped there too, and a
person's questions count against one limit whichever replica gets them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings
from ..storage.shared import Limiter, SeenOnce, rate_limiter, secret_url, seen_once

SEEN_TTL_S = 3600.0  # Slack retries a lost event for a few minutes; an hour is ample


@dataclass
class SlackLimits:
    users: Limiter
    channels: Limiter
    events: SeenOnce
    messages: SeenOnce

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackLimits:
        url, slack = secret_url(settings.redis_url), settings.slack
        return cls(
            users=rate_limiter(url, "slack-user", slack.user_rate_limit, slack.rate_window_s),
            channels=rate_limiter(url, "slack-channel", slack.channel_rate_limit, slack.rate_window_s),
            events=seen_once(url, "slack-event", SEEN_TTL_S),
            messages=seen_once(url, "slack-message", SEEN_TTL_S),
        )
