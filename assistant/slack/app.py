"""Build the Slack Bolt app from settings, an ``Assistant`` and the shared ``FeedbackStore``."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.error import URLError

from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..errors import SlackConfigError
from ..models import Asker
from ..settings import Settings
from ..storage.feedback import FeedbackStore
from .briefs import brief_maker
from .channels import ChannelSettings, load_channel_settings
from .handlers import SlackHandlers

log = logging.getLogger(__name__)

_LISTENER_THREADS = 4
_API_TIMEOUT_S = 15


def _secret(value: SecretStr | None, env: str, what: str, prefix: str | None = None) -> str:
    secret = value.get_secret_value().strip() if value is not None else ""
    if not secret:
        raise SlackConfigError(f"{env} is not set: {what} (see slack/manifest.yaml and docs/slack.md).")
    if prefix and not secret.startswith(prefix):
        raise SlackConfigError(f"{env} must start with '{prefix}' ({what}).")
    return secret


def bot_token(settings: Settings) -> str:
    return _secret(settings.slack.bot_token, "ASSISTANT_SLACK_BOT_TOKEN",
                   "the Bot User OAuth Token from the app's OAuth & Permissions page", "xoxb-")


def app_token(settings: Settings) -> str:
    return _secret(settings.slack.app_token, "ASSISTANT_SLACK_APP_TOKEN",
                   "an app-level token with the connections:write scope, for Socket Mode", "xapp-")


def signing_secret(settings: Settings) -> str:
    return _secret(settings.slack.signing_secret, "ASSISTANT_SLACK_SIGNING_SECRET",
                   "the Signing Secret from the app's Basic Information page")


def web_client(settings: Settings, base_url: str | None = None) -> WebClient:
    return WebClient(token=bot_token(settings), base_url=base_url or settings.slack.api_base_url,
                     timeout=_API_TIMEOUT_S)


@dataclass
class SlackBot:
    """The Bolt app with the thread pools it answers on; ``close()`` waits for answers in flight."""

    app: App
    handlers: SlackHandlers
    listener_pool: ThreadPoolExecutor
    answer_pool: ThreadPoolExecutor

    def close(self, wait: bool = True) -> None:
        # Listeners hand questions to the answer pool, so they stop first.
        self.listener_pool.shutdown(wait=wait)
        self.answer_pool.shutdown(wait=wait)


def create_bot(
    settings: Settings,
    assistant: Asker,
    store: FeedbackStore,
    *,
    client: WebClient | None = None,
    base_url: str | None = None,
    channels: ChannelSettings | None = None,
    verify_token: bool = True,
    socket_mode: bool = False,
) -> SlackBot:
    """``verify_token`` calls auth.test now (a bad token fails here) instead of at the first event.

    HTTP mode needs the signing secret; Socket Mode needs none since Slack's socket is trusted.
    """
    channels = channels if channels is not None else load_channel_settings(settings)
    client = client or web_client(settings, base_url)
    secret = signing_secret(settings) if not socket_mode else ""
    listener_pool = ThreadPoolExecutor(_LISTENER_THREADS, thread_name_prefix="slack-listener")
    answer_pool = ThreadPoolExecutor(settings.slack.workers, thread_name_prefix="slack-answer")
    try:
        app = App(client=client, signing_secret=secret, token_verification_enabled=verify_token,
                  listener_executor=listener_pool, name="assistant.slack")
    except (BoltError, URLError, OSError) as error:
        listener_pool.shutdown(wait=False)
        answer_pool.shutdown(wait=False)
        raise SlackConfigError(_auth_failure(error)) from None
    handlers = SlackHandlers(assistant, store, settings, channels, answer_pool, brief_maker(assistant))
    handlers.register(app)
    return SlackBot(app=app, handlers=handlers, listener_pool=listener_pool, answer_pool=answer_pool)


def create_app(settings: Settings, assistant: Asker, store: FeedbackStore, *,
               client: WebClient | None = None, base_url: str | None = None,
               verify_token: bool = True) -> App:
    return create_bot(settings, assistant, store, client=client, base_url=base_url,
                      verify_token=verify_token).app


def _auth_failure(error: Exception) -> str:
    if isinstance(error, BoltError):
        cause = error.__cause__ or error.__context__
        code = cause.response.get("error") if isinstance(cause, SlackApiError) else None
        return (f"Slack rejected the bot token ({code or 'auth.test failed'}); "
                "check ASSISTANT_SLACK_BOT_TOKEN.")
    reason = getattr(error, "reason", None) or error.__class__.__name__
    return f"Slack could not be reached to check the bot token ({reason})."
