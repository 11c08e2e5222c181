"""An OpenAI-compatible chat endpoint, so any chat client can use the assistant as a model.

The last user message is the question and the earlier user/assistant messages are the
conversation; the reply is the cited answer followed by its "Sources:" list.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..models import Answer, AnswerStream, Turn, after_draft
from .context import WebContext
from .errors import ApiError

MODEL_ID = "outsourcing-assistant"
SOURCES_HEADING = "Sources:"
_CREATED = int(time.time())


class ContentPart(BaseModel):
    type: str = "text"
    text: str = ""


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


def format_reply(answer: Answer) -> str:
    """The answer text, then one line per citation: title, locator, link and the quote."""
    if not answer.citations:
        return answer.answer
    lines = [answer.answer, "", SOURCES_HEADING]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.title} — {c.locator}" + (f" — {c.source}" if c.source else ""))
        lines.append(f'    "{c.quote}"')
    return "\n".join(lines)


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message and the user/assistant turns before it (system prompts are ignored)."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise ApiError(400, "The conversation has no user message to answer.")
    history = []
    for message in messages[:last_user]:
        if message.role in ("user", "assistant"):
            # our own earlier replies carry their source list; the conversation needs only the answer
            content = message.text().split(f"\n\n{SOURCES_HEADING}\n", 1)[0]
            history.append(Turn(role=message.role, content=content))
    return messages[last_user].text(), history


def _usage(question: str, history: list[Turn], reply: str) -> dict[str, int]:
    prompt = len(question.split()) + sum(len(t.content.split()) for t in history)
    completion = len(reply.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _chunk(completion_id: str, created: int, delta: dict[str, str], finish: str | None) -> str:
    payload = {
        "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def closing_text(draft: str, answer: Answer) -> str:
    """What follows the streamed draft so that the client ends up with the checked reply.

    Streamed text cannot be taken back: when validation kept the draft as written, only the
    source list follows; otherwise (markers repaired, a fallback, a refusal) the checked reply
    follows in full under a line that says so.
    """
    return after_draft(draft, answer, format_reply(answer))


async def _stream(completion_id: str, created: int, stream: AnswerStream, pieces: Iterator[str],
                  first: str | None) -> AsyncIterator[str]:
    """Server-sent events: the draft as the model writes it, then the checked reply's remainder."""
    yield _chunk(completion_id, created, {"role": "assistant", "content": ""}, None)
    draft, piece = "", first
    try:
        while piece is not None:
            draft += piece
            yield _chunk(completion_id, created, {"content": piece}, None)
            piece = await run_in_threadpool(next, pieces, None)
        yield _chunk(completion_id, created, {"content": closing_text(draft, stream.answer())}, None)
        yield _chunk(completion_id, created, {}, "stop")
        yield "data: [DONE]\n\n"
    finally:
        await run_in_threadpool(stream.close)  # a client gone mid-answer frees its answering slot


def make_router(ctx: WebContext, user_dependency: Callable[[Request], str | None]) -> APIRouter:
    router = APIRouter(prefix="/v1")
    authenticated = Depends(user_dependency)

    @router.get("/models", response_model=None)
    def models(user: str | None = authenticated) -> dict[str, object]:
        return {"object": "list", "data": [
            {"id": MODEL_ID, "object": "model", "created": _CREATED, "owned_by": "outsourcing-assistant"},
        ]}

    @router.post("/chat/completions", response_model=None)
    async def chat_completions(body: ChatRequest, user: str | None = authenticated) -> Any:
        question, history = split_conversation(body.messages)
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())
        if body.stream:
            stream = ctx.stream(question, history, "api", user, ctx.settings.web.queue_timeout_s)
            pieces = iter(stream)
            # up to the first piece (or the whole answer) before the first byte, so a bad question or a
            # missing index still gets its proper status; the model's failures later fall back inside the answer
            first = await run_in_threadpool(next, pieces, None)
            return StreamingResponse(_stream(completion_id, created, stream, pieces, first),
                                     media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        answer, _ = await run_in_threadpool(
            ctx.answer, question, history, "api", user, ctx.settings.web.queue_timeout_s)
        reply = format_reply(answer)
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                         "finish_reason": "stop"}],
            "usage": _usage(question, history, reply),
        }

    return router
