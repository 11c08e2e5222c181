"""The saved conversations as JSON under ``/api/conversations``: list, read, rename, delete, export.

The owner rules are the page's (``owner.py``): with login on, a caller is its user name; without, its
browser cookie. A caller sees only its own conversations; administrators (``ASSISTANT_WEB_ADMINS``,
login on) see everyone's. Someone else's conversation answers exactly as one that does not exist
(404, the same sentence), so ids cannot be probed; a malformed id is just another id that is not there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from ..models import Language
from ..storage.conversations import (
    MAX_LISTED,
    ConversationSummary,
    StoredConversation,
    StoredTurn,
    TitleError,
    clean_title,
)
from ..storage.feedback import TITLE_CHARS
from .api_routes import require_user
from .context import WebContext
from .errors import ApiError
from .owner import owner_of

DEFAULT_PAGE = 20
_MAX_ID = 2**63 - 1  # the database's id type; a longer number names nothing


class ConversationOut(BaseModel):
    id: int
    title: str
    channel: str = Field(description="Where it was held: web, slack, ...")
    owner: str | None = Field(description="The user name, or browser:<digest> without login.")
    created: datetime
    updated: datetime
    turns: int = Field(description="How many questions were answered in it.")


class ConversationPageOut(BaseModel):
    conversations: list[ConversationOut]
    total: int = Field(description="How many conversations the caller may see in all.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page; null on the last one.")


class CitationOut(BaseModel):
    n: int
    doc_id: str
    title: str
    source: str
    locator: str
    quote: str
    date: str


class TurnOut(BaseModel):
    id: int
    created: datetime
    question: str
    answer: str
    language: Language
    refused: bool
    citations: list[CitationOut]
    rating: Literal[1, -1] | None = Field(description="The owner's thumbs up (1) or down (-1), if any.")
    comment: str


class ConversationDetailOut(ConversationOut):
    questions: list[TurnOut] = Field(description="Its answered questions, oldest first, with their citations.")


class RenameRequest(BaseModel):
    title: str = Field(description=f"The new name: 1 to {TITLE_CHARS} characters (whitespace runs become one "
                                   "space).", json_schema_extra={"maxLength": TITLE_CHARS})


def _when(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def _summary_out(summary: ConversationSummary, owner: str | None) -> ConversationOut:
    return ConversationOut(id=summary.id, title=summary.title, channel=summary.channel, owner=owner,
                           created=_when(summary.created), updated=_when(summary.updated), turns=summary.turns)


def _turn_out(turn: StoredTurn) -> TurnOut:
    citations = [CitationOut.model_validate({**c.public(), "date": c.date}) for c in turn.citation_models()]
    rating: Literal[1, -1] | None = 1 if turn.rating == 1 else -1 if turn.rating == -1 else None
    return TurnOut(id=turn.turn_id, created=_when(turn.created), question=turn.question, answer=turn.answer,
                   language=turn.language, refused=turn.refused, citations=citations, rating=rating,
                   comment=turn.comment)


def _detail_out(conversation: StoredConversation) -> ConversationDetailOut:
    summary = _summary_out(conversation.summary, conversation.owner)
    return ConversationDetailOut(**summary.model_dump(), questions=[_turn_out(t) for t in conversation.turns])


def _not_found(raw_id: str) -> ApiError:
    shown = raw_id if len(raw_id) <= 40 else raw_id[:40] + "…"
    return ApiError(404, f"There is no conversation {shown!r} among yours.")


def make_router(ctx: WebContext) -> APIRouter:
    router = APIRouter(prefix="/api/conversations", tags=["conversations"])
    user_dependency = Depends(require_user(ctx))
    not_found_response: dict[int | str, dict[str, Any]] = {
        404: {"description": "No such conversation among the caller's."}}

    def scope(request: Request, user: str | None) -> str | None:
        """Whose conversations the caller reaches: its own, or everyone's (None) for an administrator."""
        if ctx.sees_every_conversation(getattr(request.state, "identity", None)):
            return None
        owner = user if ctx.login_required else owner_of(request, login_required=False)
        if owner is None:  # the cookie middleware gives every caller one; this is a guard, not a path
            raise ApiError(401, "Conversations are kept per browser: send the assistant_browser cookie.")
        return owner

    def find(conversation_id: str, request: Request, user: str | None) -> tuple[StoredConversation, str | None]:
        """(conversation, scope) when the caller may reach it, else the 404 of one that does not exist."""
        owner = scope(request, user)
        number = int(conversation_id) if conversation_id.isascii() and conversation_id.isdigit() else 0
        found = ctx.conversations.get(number, owner) if 0 < number <= _MAX_ID else None
        if found is None:
            raise _not_found(conversation_id)
        return found, owner

    @router.get("", response_model=ConversationPageOut)
    def list_conversations(request: Request, limit: int = Query(DEFAULT_PAGE, ge=1, le=MAX_LISTED),
                           offset: int = Query(0, ge=0, le=1_000_000),
                           user: str | None = user_dependency) -> ConversationPageOut:
        """The caller's conversations (an administrator's: everyone's), the latest first, a page at a time."""
        page = ctx.conversations.page(scope(request, user), limit, offset)
        following = offset + len(page.conversations)
        return ConversationPageOut(conversations=[_summary_out(s, owner) for s, owner in page.conversations],
                                   total=page.total, limit=limit, offset=offset,
                                   next_offset=following if following < page.total else None)

    @router.get("/{conversation_id}", response_model=ConversationDetailOut, responses=not_found_response)
    def get_conversation(conversation_id: str, request: Request,
                         user: str | None = user_dependency) -> ConversationDetailOut:
        """One conversation with its questions, answers and citations, oldest first."""
        return _detail_out(find(conversation_id, request, user)[0])

    @router.patch("/{conversation_id}", response_model=ConversationOut,
                  responses={**not_found_response, 422: {"description": "The name is empty or too long."}})
    def rename_conversation(conversation_id: str, body: RenameRequest, request: Request,
                            user: str | None = user_dependency) -> ConversationOut:
        """Rename a conversation; an empty or over-long name is refused and changes nothing."""
        found, owner = find(conversation_id, request, user)
        try:
            title = clean_title(body.title)
        except TitleError as error:
            raise ApiError(422, str(error)) from None
        if not ctx.conversations.rename(found.summary.id, owner, title):  # deleted in between
            raise _not_found(conversation_id)
        return _summary_out(replace(found.summary, title=title), found.owner)

    @router.delete("/{conversation_id}", status_code=204, response_class=Response, responses=not_found_response)
    def delete_conversation(conversation_id: str, request: Request, user: str | None = user_dependency) -> Response:
        """Delete a conversation from its owner's list; its answers stay in the turn log (feedback, gaps)."""
        found, owner = find(conversation_id, request, user)
        if not ctx.conversations.delete(found.summary.id, owner):
            raise _not_found(conversation_id)
        return Response(status_code=204)

    @router.get("/{conversation_id}/export", response_class=Response, responses={
        **not_found_response,
        200: {"description": "The strategy brief as a file.",
              "content": {"text/markdown": {}, "application/pdf": {}}},
        422: {"description": "The conversation has no answered question yet."}})
    def export_conversation(conversation_id: str, request: Request,
                            format: Literal["md", "pdf"] = Query("md", description="md (Markdown) or pdf."),
                            user: str | None = user_dependency) -> Response:
        """The conversation as the page's strategy brief (Markdown or PDF), as a download."""
        found, _ = find(conversation_id, request, user)
        if not found.turns:
            raise ApiError(422, "This conversation has no answered question yet: there is nothing to export.")
        brief = ctx.assistant.workflow().export_brief(found, format)
        return Response(brief.data, media_type=brief.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{brief.name}"'})

    return router
