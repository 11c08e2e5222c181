"""What every web front end shares: the assistant, the feedback store, the limiter, the logins."""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from ..api import Assistant, clean_question
from ..models import Answer, AnswerStream, Turn
from ..settings import Settings
from ..storage.conversations import ConversationStore
from ..storage.feedback import Channel, FeedbackStore
from ..storage.shared import Limiter
from .auth import Authenticator, Identity
from .limits import AskLimiter, user_rate_limiter

log = logging.getLogger(__name__)


class LoggedStream(AnswerStream):
    """A streamed answer whose turn is logged when it ends: ``turn_id`` is then the logged turn's id."""

    turn_id: int | None = None


@dataclass
class WebContext:
    settings: Settings
    assistant: Assistant
    store: FeedbackStore
    limiter: AskLimiter
    user_limits: Limiter
    auth: Authenticator

    @classmethod
    def build(cls, settings: Settings, assistant: Assistant | None = None,
              store: FeedbackStore | None = None) -> WebContext:
        auth = Authenticator(settings)  # first: a wrong sign-in setting stops the start before anything is opened
        assistant = assistant or Assistant(settings)
        return cls(
            settings=settings,
            assistant=assistant,
            store=store or FeedbackStore.for_settings(settings, assistant.settings.answer_fingerprint()),
            limiter=AskLimiter(settings.web.concurrency),
            user_limits=user_rate_limiter(settings),
            auth=auth,
        )

    @property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self.store)

    @property
    def login_required(self) -> bool:
        return self.auth.login_required

    def identity_of(self, request: Any) -> Identity | None:
        """Who sent a page event or an HTTP request: the identity the sign-in left on the request, or
        (Gradio's password form) the user name Gradio keeps."""
        starlette_request = getattr(request, "request", None) if request is not None else None
        for holder in (starlette_request, request):
            found = getattr(getattr(holder, "state", None), "identity", None)
            if isinstance(found, Identity):
                return found
        username = getattr(request, "username", None) if request is not None else None
        if username and self.auth.page_uses_password_form:
            return Identity(str(username), (), "password")
        return None

    def may_upload(self, who: Identity | None) -> bool:
        return self.auth.may_upload(who)

    def sees_every_conversation(self, who: Identity | None) -> bool:
        """Administrators, and only with login on: without it every caller is just a browser."""
        return self.login_required and self.auth.is_admin(who)

    def answer(self, question: str, history: list[Turn], channel: Channel, user: str | None,
               wait_s: float) -> tuple[Answer, int | None]:
        """Ask within a concurrency slot and log the turn; raises QuestionError, IndexUnavailable, Busy."""
        clean_question(question, self.assistant.settings.max_question_chars)  # fail fast, before queueing
        with self.limiter.slot(wait_s):
            answer = self.assistant.ask(question, history)
        return answer, self.store.log_turn(answer, channel, user)

    def stream(self, question: str, history: list[Turn], channel: Channel, user: str | None,
               wait_s: float, conversation: str | None = None) -> LoggedStream:
        """As ``answer``, as it is written: the LLM's draft pieces, then the answer with its turn logged
        (in ``conversation`` when given). The question is checked at once; the answering slot is taken when
        the first piece is asked for (``Busy``, ``IndexUnavailable`` are raised then), and closing the
        stream frees it."""
        clean_question(question, self.assistant.settings.max_question_chars)

        def events() -> Generator[str, None, Answer]:
            with self.limiter.slot(wait_s), self.assistant.ask_stream(question, history) as answering:
                yield from answering
                answer = answering.answer()
                logged.turn_id = self.store.log_turn(answer, channel, user, conversation)
            return answer

        logged = LoggedStream(events())
        return logged
