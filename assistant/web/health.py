"""``GET /api/health``: the index, and each shared server the settings name, for monitors and load balancers.

200 ``{"status": "ok", ...}`` when everything answers. 503 otherwise: ``"degraded"`` with the down
server named in ``dependencies`` (``{"database": "down", "redis": "up", "chroma": "up"}``), or
``"unavailable"`` with the reason when the servers answer but there is no usable index.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi.responses import JSONResponse

from ..errors import ChromaDown, IndexUnavailable
from ..storage import servers
from .context import WebContext


def package_version() -> str:
    try:
        return version("outsourcing-assistant")
    except PackageNotFoundError:
        return "unknown"


def health(ctx: WebContext) -> dict[str, object] | JSONResponse:
    dependencies = servers.status(ctx.settings, ctx.store.engine)
    if "down" in dependencies.values():
        return JSONResponse({"status": "degraded", "dependencies": dependencies}, status_code=503)
    try:
        info = ctx.assistant.index_info()
    except ChromaDown:  # it went down since the check above
        return JSONResponse({"status": "degraded", "dependencies": {**dependencies, "chroma": "down"}},
                            status_code=503)
    except IndexUnavailable as error:
        return JSONResponse({"status": "unavailable", "error": str(error), "dependencies": dependencies},
                            status_code=503)
    return {
        "status": "ok",
        "version": package_version(),
        "documents": len(info.documents),
        "passages": info.passages,
        "answerer": ctx.assistant.settings.answer.llm or "extractive",
        "embedding_model": ctx.assistant.settings.answer.embedding_model,
        "login_required": ctx.login_required,
        "dependencies": dependencies,
        "page": ctx.page_state(),
    }
