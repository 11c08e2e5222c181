"""One ASGI app: the chat page at ``/``, the JSON API at ``/api``, the OpenAI API at ``/v1``.

Other front ends add their HTTP endpoints through ``mount_extra_routes``; they must be added
before the page, because the page is mounted at ``/`` and takes every path left over.
"""

from __future__ import annotations

import importlib.util
import logging
import threading

import gradio as gr
from fastapi import FastAPI

from ..api import Assistant
from ..errors import IndexUnavailable
from ..settings import Settings
from ..storage.feedback import FeedbackStore
from ..telemetry import metrics, tracing
from . import api_routes, conversations_api, openai_compat, sign_in, ui
from .body_limit import BodyLimitMiddleware
from .context import WebContext
from .errors import install_error_handlers
from .owner import BrowserCookieMiddleware
from .request_id import RequestIdMiddleware

log = logging.getLogger(__name__)
JSON_BODY_LIMIT = 1_000_000
_MULTIPART_OVERHEAD = 64_000


def mount_extra_routes(app: FastAPI, assistant: Assistant, store: FeedbackStore,
                       settings: Settings | None = None) -> None:
    """Routes of other front ends; today the Slack bot's HTTP mode when its signing secret is set.

    A front end that serves HTTP provides ``mount(app, assistant, store, settings) -> None`` and
    is called from here.
    """
    settings = settings or assistant.settings
    if settings.slack.signing_secret and importlib.util.find_spec("assistant.slack.http"):
        from ..slack.http import mount as mount_slack

        mount_slack(app, assistant, store, settings)


def create_app(settings: Settings, assistant: Assistant | None = None,
               store: FeedbackStore | None = None) -> FastAPI:
    """The whole web server; ``assistant`` and ``store`` default to ones built from ``settings``."""
    tracing.configure(settings.otel_endpoint)  # a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set
    ctx = WebContext.build(settings, assistant, store)
    app = FastAPI(title="Outsourcing assistant", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.web = ctx
    install_error_handlers(app)
    user_dependency = api_routes.require_user(ctx)
    app.include_router(api_routes.make_router(ctx))
    app.include_router(conversations_api.make_router(ctx))
    app.include_router(openai_compat.make_router(ctx, user_dependency))
    mount_extra_routes(app, ctx.assistant, ctx.store, settings)
    app.add_api_route("/metrics", metrics.metrics_endpoint, methods=["GET"], include_in_schema=False)

    def limit_for(path: str) -> int | None:
        if path == "/api/admin/upload":
            return settings.web.upload_max_bytes + _MULTIPART_OVERHEAD
        if path.startswith(("/api/", "/v1/")):
            return JSON_BODY_LIMIT
        return None

    sign_in.install(app, ctx)  # the provider's sign-in routes, the session and the page's gate, if set
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(BrowserCookieMiddleware)  # who owns a saved conversation when there is no login
    app.add_middleware(metrics.MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)  # outermost: the id covers every other layer's lines
    page = ui.build_page(ctx)
    page.queue(default_concurrency_limit=settings.web.concurrency, max_size=settings.web.queue_size)
    # Gradio refuses event files that were not uploaded through the page only in apps it launched
    # itself; mounted, it would copy any server path a client names (tests/security/test_access.py).
    page.has_launched = True
    tracing.instrument(app)
    return gr.mount_gradio_app(
        app, page, path="/",
        **sign_in.page_auth(ctx),
        footer_links=[],
        run_history=False,
        show_error=True,
        max_file_size=settings.web.upload_max_bytes,
        ssr_mode=False,
        mcp_server=False,
        theme=ui.theme(),
        css=ui.CSS,
        head=ui.HEAD,
    )


def warm_up(assistant: Assistant) -> None:
    """Open the index and load the models now, so the first visitor does not wait for it."""
    try:
        assistant.warm_up()
    except IndexUnavailable as error:
        log.warning("%s", error)
        return
    # The corpus sentences' vectors, while the first questions are already answered.
    threading.Thread(target=assistant.preload_sentences, name="preload-sentences", daemon=True).start()
