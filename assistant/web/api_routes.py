"""The JSON API under ``/api``: ask, health, feedback and the admin upload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..errors import AlreadyRated, StorageError, UnknownTurn
from ..models import Turn
from .auth import LoginRefused
from .context import WebContext
from .errors import ApiError
from .health import health as health_report
from .limits import too_many_requests

MAX_HISTORY_TURNS = 100


class AskRequest(BaseModel):
    question: str
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)


class FeedbackRequest(BaseModel):
    rating: Literal[1, -1]
    question: str = Field(min_length=1, max_length=20_000)
    answer: str = Field(max_length=100_000)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    comment: str | None = Field(None, max_length=2000)
    turn_id: int | None = None


def require_user(ctx: WebContext) -> Callable[[Request], str | None]:
    """A dependency: the logged-in user name, None when login is off, else a 401."""

    def dependency(request: Request) -> str | None:
        if not ctx.login_required:
            return None
        try:
            identity = ctx.auth.from_api_request(request.headers, request.client.host if request.client else None)
        except LoginRefused as refused:
            raise ApiError(refused.status, str(refused), {"WWW-Authenticate": ctx.auth.challenge()}) from None
        request.state.identity = identity  # for the admin check of the route
        wait = ctx.user_limits.hit(identity.name)
        if wait is not None:
            raise ApiError(429, too_many_requests(wait), {"Retry-After": str(wait)})
        return identity.name

    return dependency


def make_router(ctx: WebContext) -> APIRouter:
    router = APIRouter(prefix="/api")
    user_dependency = Depends(require_user(ctx))

    @router.post("/ask", response_model=None)
    def ask(body: AskRequest, response: Response, user: str | None = user_dependency) -> dict[str, object]:
        """Answer one question; the body is the ``assistant ask --json`` answer object."""
        answer, turn_id = ctx.answer(body.question, body.history, "api", user,
                                     ctx.settings.web.queue_timeout_s)
        if turn_id is not None:
            response.headers["X-Turn-Id"] = str(turn_id)
        return answer.public()

    @router.get("/health", response_model=None)
    def health() -> dict[str, object] | JSONResponse:
        """200 when the index and every shared server answer; else 503 naming what is down."""
        return health_report(ctx)

    @router.post("/feedback", status_code=201, response_model=None)
    def feedback(body: FeedbackRequest, user: str | None = user_dependency) -> dict[str, object]:
        """Record a thumbs up (1) or down (-1) on an answer, with an optional comment."""
        try:
            feedback_id = ctx.store.record_feedback(
                body.rating, body.question, body.answer, body.citations, "api", user, body.comment,
                body.turn_id,
            )
        except AlreadyRated as error:
            raise ApiError(409, str(error)) from None
        except UnknownTurn as error:
            raise ApiError(404, str(error)) from None
        except StorageError as error:
            raise ApiError(503, str(error)) from None
        return {"id": feedback_id}

    @router.post("/admin/upload", status_code=201, response_model=None)
    def upload(file: UploadFile, request: Request, user: str | None = user_dependency) -> dict[str, object]:
        """Add or replace one document (.md .txt .html .pdf .docx) and index it at once."""
        if not ctx.may_upload(ctx.identity_of(request)):
            raise ApiError(403, "Only administrators may upload documents.")
        result = ctx.assistant.add_document(file.file, file.filename or "")
        return result.model_dump(mode="json")

    return router
