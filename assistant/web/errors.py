"""Errors of the HTTP APIs: one plain sentence, as ``{"error": ...}`` (OpenAI's shape under /v1)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import Busy, IndexUnavailable, QuestionError, ServerDown, UploadError, UploadTooLarge

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


_OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                 404: "not_found_error", 413: "invalid_request_error", 503: "service_unavailable"}


def error_response(request: Request, status: int, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    if request.url.path.startswith("/v1/"):
        kind = _OPENAI_TYPES.get(status, "api_error")
        body: dict[str, object] = {"error": {"message": message, "type": kind, "code": status}}
    else:
        body = {"error": message}
    return JSONResponse(body, status_code=status, headers=headers)


def describe_validation(error: RequestValidationError) -> str:
    problems = error.errors()
    if not problems:
        return "The request body is not valid."
    first = problems[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    if first.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    if first.get("type") == "missing":
        return f"The request is missing '{where}'." if where else "The request body is missing."
    message = str(first.get("msg", "is not valid")).rstrip(".")
    return f"'{where}' is not valid: {message}." if where else f"The request body is not valid: {message}."


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)
        return error_response(request, error.status, error.message, error.headers)

    async def question_error(request: Request, error: Exception) -> JSONResponse:
        return error_response(request, 400, str(error))

    async def unavailable(request: Request, error: Exception) -> JSONResponse:
        return error_response(request, 503, str(error))

    async def server_down(request: Request, error: Exception) -> JSONResponse:
        # the operator's sentence (address, setting) goes to the log; the client gets the plain one
        assert isinstance(error, ServerDown)
        log.warning("%s %s refused: %s", request.method, request.url.path, error)
        return error_response(request, 503, error.public, {"Retry-After": "30"})

    async def busy(request: Request, error: Exception) -> JSONResponse:
        return error_response(request, 503, str(error), {"Retry-After": "5"})

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(request, 400, describe_validation(error))

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        messages = {404: "There is nothing at this address.", 405: "This method is not allowed here."}
        return error_response(request, error.status_code, messages.get(error.status_code, str(error.detail)),
                              dict(error.headers or {}))

    async def upload_error(request: Request, error: Exception) -> JSONResponse:
        return error_response(request, 413 if isinstance(error, UploadTooLarge) else 400, str(error))

    async def not_unicode(request: Request, error: Exception) -> JSONResponse:
        # JSON may carry lone surrogates (\ud800); nothing can store or embed them, so say so plainly.
        return error_response(request, 400, "The request holds text that is not valid Unicode "
                                            "(a lone surrogate); remove it and try again.")

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return error_response(request, 500, f"The request failed ({error.__class__.__name__}); "
                                            "the error is in the server log.")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(UploadError, upload_error)
    app.add_exception_handler(UnicodeError, not_unicode)
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(QuestionError, question_error)
    app.add_exception_handler(IndexUnavailable, unavailable)
    app.add_exception_handler(ServerDown, server_down)
    app.add_exception_handler(Busy, busy)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
