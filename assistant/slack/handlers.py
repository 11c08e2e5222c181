"""What the bot does with each Slack event and button click.

Events are acknowledged by Bolt before these listeners run; answering then happens on a separate
pool so button clicks are never stuck behind slow answers. Every failure is logged and shown to
the person in one sentence.
"""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..errors import AlreadyRated, IndexUnavailable, QuestionError, ServerDown
from ..logs import request_scope
from ..models import Asker, Language, Turn
from ..settings import Settings
from ..storage.feedback import FeedbackStore, TurnRecord
from ..telemetry.metrics import slack_event
from ..text import detect_language
from .blocks import (
    ACTION_EXPORT_BRIEF,
    ACTION_HELPFUL,
    ACTION_NOT_HELPFUL,
    ACTION_SHOW_SOURCES,
    answer_blocks,
    fallback_text,
    sources_detail_blocks,
    sources_detail_text,
)
from .briefs import BriefMaker, export_brief
from .channels import ChannelSettings
from .draft import DraftMessage
from .limits import SlackLimits
from .messages import say, say_server_down
from .mrkdwn import slack_to_plain
from .threads import MAX_HISTORY_TURNS, ThreadMemory, history_from_replies

log = logging.getLogger(__name__)

THINKING_REACTION = "hourglass_flowing_sand"
_ANSWERED_SUBTYPES = (None, "thread_broadcast", "file_share")
_HARMLESS_REACTION_ERRORS = {"already_reacted", "no_reaction", "message_not_found"}


@dataclass(frozen=True)
class Question:
    """One message addressed to the bot, and where its answer goes."""

    channel: str
    user: str
    ts: str
    thread_ts: str
    text: str
    language: Language
    direct: bool
    ephemeral: bool
    bot_user_id: str | None
    bot_id: str | None

    @property
    def in_thread(self) -> bool:
        return self.thread_ts != self.ts

    @property
    def memory_key(self) -> tuple[str, ...]:
        # Ephemeral answers are private to the asker, so their history is too.
        base = (self.channel, self.thread_ts)
        return (*base, self.user) if self.ephemeral else base

    @property
    def conversation(self) -> str:
        """The thread's key in the store of conversations (private ones per asker)."""
        return ":".join(("slack", *self.memory_key))


class SlackHandlers:
    def __init__(self, assistant: Asker, store: FeedbackStore, settings: Settings,
                 channels: ChannelSettings, answer_pool: Executor, briefs: BriefMaker | None = None) -> None:
        self.assistant = assistant
        self.briefs = briefs  # "Export brief" is offered when the assistant can make one
        self.store = store
        self.settings = settings
        self.channels = channels
        self.answer_pool = answer_pool
        limits = SlackLimits.from_settings(settings)  # in Redis when replicas share them
        self.user_limits, self.channel_limits = limits.users, limits.channels
        self.seen_events, self.seen_messages = limits.events, limits.messages
        self.memory = ThreadMemory()

    def register(self, app: App) -> None:
        app.use(self.skip_repeated_deliveries)
        app.event("app_mention")(self.on_app_mention)
        app.event("message")(self.on_message)
        app.action(ACTION_HELPFUL)(self.on_helpful)
        app.action(ACTION_NOT_HELPFUL)(self.on_not_helpful)
        app.action(ACTION_SHOW_SOURCES)(self.on_show_sources)
        app.action(ACTION_EXPORT_BRIEF)(self.on_export_brief)
        app.error(self.on_unhandled_error)

    # -- delivery ----------------------------------------------------------------------
    def skip_repeated_deliveries(self, body: dict[str, Any], request: BoltRequest,
                                 next_: Callable[[], None]) -> BoltResponse | None:
        """Slack redelivers an event it thinks was lost; the first delivery is the one answered."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            slack_event("received")
        if event_id and not self.seen_events.first_time(str(event_id)):
            slack_event("duplicate")
            retry = (request.headers.get("x-slack-retry-num") or ["-"])[0]
            reason = (request.headers.get("x-slack-retry-reason") or ["-"])[0]
            log.info("skipped repeated Slack event %s (retry %s, %s)", event_id, retry, reason)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        next_()
        return None

    # -- events ------------------------------------------------------------------------
    def on_app_mention(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext,
                       client: WebClient) -> None:
        with request_scope(_event_id(body)):
            self.receive(event, context, client, tagged=True)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext,
                   client: WebClient) -> None:
        with request_scope(_event_id(body)):
            self._on_message(event, context, client)

    def _on_message(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if event.get("subtype") not in _ANSWERED_SUBTYPES:
            return
        channel = str(event.get("channel", ""))
        if event.get("channel_type") == "im" or channel.startswith("D"):
            self.receive(event, context, client, tagged=True)
            return
        if context.bot_user_id and f"<@{context.bot_user_id}" in str(event.get("text", "")):
            return  # the app_mention event of the same message is the one answered
        if self.channels.allows(channel) and not self.channels.policy(channel).respond_only_when_tagged:
            self.receive(event, context, client, tagged=False)

    def receive(self, event: dict[str, Any], context: BoltContext, client: WebClient, tagged: bool) -> None:
        if _from_a_bot(event, context):
            return
        channel, user, ts = str(event.get("channel", "")), event.get("user"), str(event.get("ts", ""))
        if not (channel and user and ts):
            return
        # The same message can arrive twice, as app_mention and as message, with different event ids.
        if not self.seen_messages.first_time(f"{channel}:{ts}"):
            return
        direct = event.get("channel_type") == "im" or channel.startswith("D")
        text = slack_to_plain(str(event.get("text") or ""), context.bot_user_id)
        question = Question(
            channel=channel, user=str(user), ts=ts, thread_ts=str(event.get("thread_ts") or ts),
            text=text, language=detect_language(text) if text else "en", direct=direct,
            ephemeral=not direct and self.channels.policy(channel).answers == "ephemeral",
            bot_user_id=context.bot_user_id, bot_id=context.bot_id,
        )
        if direct and not self.channels.direct_messages:
            self.notify(client, question, say("dm_not_allowed", question.language))
            return
        if not direct and not self.channels.allows(channel):
            if tagged:
                self.notify(client, question, say("channel_not_allowed", question.language))
            return
        if not text:
            self.notify(client, question, say("empty", question.language))
            return
        if not self._within_limits(client, question):
            return
        self._react(client, question, add=True)
        # the answer pool's thread runs in a copy of this context, so its lines keep the event's id
        self.answer_pool.submit(contextvars.copy_context().run, self.answer, client, question)

    def _within_limits(self, client: WebClient, question: Question) -> bool:
        wait = self.user_limits.hit(question.user)
        key = "rate_user"
        if wait is None and not question.direct:
            wait, key = self.channel_limits.hit(question.channel), "rate_channel"
        if wait is None:
            return True
        slack_event("rate_limited")
        log.info("rate limited Slack %s %s for %ss", "user" if key == "rate_user" else "channel",
                 question.user if key == "rate_user" else question.channel, wait)
        self.notify(client, question, say(key, question.language, seconds=wait))
        return False

    # -- answering (on the answer pool) ------------------------------------------------
    def answer(self, client: WebClient, question: Question) -> None:
        """Answer one question; whatever goes wrong, the person is told in one sentence."""
        try:
            self._answer(client, question)
            slack_event("answered")
        except QuestionError as error:
            self.notify(client, question, str(error), ephemeral=question.ephemeral)
        except ServerDown as error:  # private: the person asked, the channel need not read about outages
            log.error("Slack question not answered: %s", error)
            self.notify(client, question, say_server_down(error.server, question.language), ephemeral=True)
        except IndexUnavailable as error:
            log.error("Slack question not answered: %s", error)
            self.notify(client, question, say("index_unavailable", question.language),
                        ephemeral=question.ephemeral)
        except Exception:
            slack_event("failed")
            reference = uuid.uuid4().hex[:8]
            log.exception("Slack question not answered (reference %s)", reference)
            self.notify(client, question, say("internal_error", question.language, ref=reference),
                        ephemeral=question.ephemeral)
        finally:
            self._react(client, question, add=False)

    def _answer(self, client: WebClient, question: Question) -> None:
        history = self.history(client, question)
        draft = DraftMessage(client, question.channel, question.thread_ts, editable=not question.ephemeral)
        with self.assistant.ask_stream(question.text, history) as stream:
            for piece in stream:
                draft.add(piece)
            answer = stream.answer()
        turn_id = self.store.log_turn(answer, "slack", question.user, conversation=question.conversation)
        message: dict[str, Any] = {
            "channel": question.channel, "text": fallback_text(answer),
            "blocks": answer_blocks(answer, turn_id, self.briefs is not None),
        }
        if question.ephemeral:
            client.chat_postEphemeral(user=question.user, thread_ts=question.thread_ts, **message)
        elif draft.ts:  # the checked answer replaces the draft in the same message
            client.chat_update(ts=draft.ts, **message)
        else:
            client.chat_postMessage(thread_ts=question.thread_ts, unfurl_links=False, unfurl_media=False,
                                    **message)
        if turn_id is None:  # not in the shared store: this process at least remembers it
            self.memory.add(question.memory_key, [Turn(role="user", content=question.text),
                                                  Turn(role="assistant", content=answer.answer)])

    def history(self, client: WebClient, question: Question) -> list[Turn]:
        """Earlier turns of the thread: Slack's copy for public threads, memory otherwise."""
        if not question.in_thread:
            return []
        if question.ephemeral:
            return self.remembered(question)
        try:
            replies = client.conversations_replies(channel=question.channel, ts=question.thread_ts, limit=200)
        except SlackApiError as error:
            log.warning("conversations.replies failed (%s); using remembered turns",
                        error.response.get("error"))
            return self.remembered(question)
        return history_from_replies(replies.get("messages") or [], question.ts, question.bot_user_id,
                                    question.bot_id, question.direct)

    def remembered(self, question: Question) -> list[Turn]:
        """The thread's turns from the shared store (any replica answered them), else this process's."""
        try:
            turns = self.store.conversation_history(question.conversation, MAX_HISTORY_TURNS)
        except ServerDown as error:
            log.warning("the thread's turns were not read: %s", error)
            turns = []
        except Exception:
            log.exception("could not read the thread's turns from the store")
            turns = []
        return turns or self.memory.get(question.memory_key)

    # -- buttons -----------------------------------------------------------------------
    def on_helpful(self, ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        self._on_click(body, client, lambda click, turn: self._rate(click, turn, client, 1))

    def on_not_helpful(self, ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        self._on_click(body, client, lambda click, turn: self._rate(click, turn, client, -1))

    def on_show_sources(self, ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        self._on_click(body, client, lambda click, turn: self._show_sources(click, turn, client))

    def on_export_brief(self, ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        self._on_click(body, client, lambda click, turn: self._export(click, turn, client))

    def _export(self, click: Question, turn: TurnRecord, client: WebClient) -> None:
        assert self.briefs is not None
        reply = export_brief(client, self.store, self.briefs, turn.turn_id, click.channel, click.thread_ts,
                             click.user, click.language)
        if reply:
            self.notify(client, click, reply, ephemeral=True)

    def _on_click(self, body: dict[str, Any], client: WebClient,
                  act: Callable[[Question, TurnRecord], None]) -> None:
        with request_scope():
            self._click(body, client, act)

    def _click(self, body: dict[str, Any], client: WebClient,
               act: Callable[[Question, TurnRecord], None]) -> None:
        click = _click(body)
        try:
            turn_id = int(json.loads(body["actions"][0]["value"])["turn"])
            turn = self.store.turn(turn_id)
            if turn is None:
                self.notify(client, click, say("turn_missing", click.language), ephemeral=True)
                return
            act(replace(click, language=turn.language), turn)
        except ServerDown as error:  # nothing was recorded: say so, privately, and ask again later
            log.error("Slack button %s not handled: %s", _action_id(body), error)
            self.notify(client, click, say_server_down(error.server, click.language), ephemeral=True)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("Slack button %s failed (reference %s)", _action_id(body), reference)
            self.notify(client, click, say("internal_error", click.language, ref=reference), ephemeral=True)

    def _rate(self, click: Question, turn: TurnRecord, client: WebClient, rating: int) -> None:
        try:  # "already rated" is the database's unique constraint, whichever replica got the click
            self.store.record_feedback(rating, turn.question, turn.answer, turn.citations, "slack",
                                       user=click.user, turn_id=turn.turn_id)
        except AlreadyRated:
            self.notify(client, click, say("already_rated", click.language), ephemeral=True)
            return
        key = "thanks_helpful" if rating > 0 else "thanks_not_helpful"
        self.notify(client, click, say(key, click.language), ephemeral=True)

    def _show_sources(self, click: Question, turn: TurnRecord, client: WebClient) -> None:
        client.chat_postEphemeral(
            channel=click.channel, user=click.user, thread_ts=click.thread_ts,
            text=sources_detail_text(turn.citations),
            blocks=sources_detail_blocks(turn.citations, click.language),
        )

    def on_unhandled_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error in a Slack listener (%s request)", body.get("type"),
                  exc_info=error)

    # -- replies -----------------------------------------------------------------------
    def notify(self, client: WebClient, question: Question, text: str, ephemeral: bool | None = None) -> None:
        """A short note in the thread; by default private in channels and plain in direct messages."""
        private = (not question.direct) if ephemeral is None else ephemeral
        try:
            if private:
                client.chat_postEphemeral(channel=question.channel, user=question.user, text=text,
                                          thread_ts=question.thread_ts)
            else:
                client.chat_postMessage(channel=question.channel, thread_ts=question.thread_ts, text=text)
        except SlackApiError as error:
            log.error("could not tell Slack user %s %r: %s", question.user, text,
                      error.response.get("error"))

    def _react(self, client: WebClient, question: Question, add: bool) -> None:
        """The "working on it" sign on the question; failing to set it never stops the answer."""
        method = client.reactions_add if add else client.reactions_remove
        try:
            method(channel=question.channel, timestamp=question.ts, name=THINKING_REACTION)
        except SlackApiError as error:
            code = error.response.get("error")
            level = logging.DEBUG if code in _HARMLESS_REACTION_ERRORS else logging.WARNING
            log.log(level, "reactions.%s failed: %s", "add" if add else "remove", code)


def _event_id(body: dict[str, Any]) -> str | None:
    """Slack's id of the event, so a log line can be matched with Slack's own delivery logs."""
    event_id = str(body.get("event_id") or "")
    return event_id or None


def _from_a_bot(event: dict[str, Any], context: BoltContext) -> bool:
    return bool(
        event.get("bot_id") or event.get("subtype") == "bot_message" or event.get("bot_profile")
        or (context.bot_user_id and event.get("user") == context.bot_user_id)
    )


def _action_id(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("action_id", "?"))


def _click(body: dict[str, Any]) -> Question:
    """Where a button was clicked, shaped like a question so replies go to the same place."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    ts = str(container.get("message_ts") or message.get("ts") or "")
    thread_ts = str(container.get("thread_ts") or message.get("thread_ts") or ts)
    return Question(
        channel=channel, user=str((body.get("user") or {}).get("id", "")), ts=ts, thread_ts=thread_ts,
        text="", language="en", direct=channel.startswith("D"), ephemeral=True,
        bot_user_id=None, bot_id=None,
    )
