"""``assistant serve``, ``assistant hash-password`` and ``assistant feedback export``, added to the CLI by
``register(app)``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ServerDown, StorageError
from ..logs import configure_logging
from ..settings import PROJECT_ROOT, Settings

DEFAULT_EXPORT = PROJECT_ROOT / "data" / "eval-candidates.yaml"


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: web_host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: web_port).")] = None,
) -> None:
    """Serve the chat page at /, the JSON API at /api and the OpenAI-compatible API at /v1."""
    from ..startup import preload

    overrides: dict[str, object] = {}
    if host:
        overrides["web_host"] = host
    if port:
        overrides["web_port"] = port
    settings = Settings().with_changes(**overrides)
    preload(settings)  # the model loads while the server's modules are imported
    import uvicorn

    from ..api import Assistant
    from ..storage.servers import require
    from .server import create_app, warm_up

    configure_logging(settings.log_format, settings.log_level)
    try:
        require(settings)  # every shared server answers, before the models are loaded
        assistant = Assistant(settings)
        app = create_app(settings, assistant, page_later=True)
    except (ValueError, StorageError, ServerDown) as error:  # a malformed login list, a server that is down
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    warm_up(assistant)
    typer.echo(f"Serving the assistant on http://{settings.web.host}:{settings.web.port}/ "
               f"(API: /api/ask, /v1/chat/completions). Ctrl-C to stop.")
    # log_config=None keeps the configuration above; the request-id middleware writes the access lines
    # With a sign-in proxy the proxy's own address must reach the app (the header is believed only
    # from it): uvicorn must not replace it with the X-Forwarded-For address.
    # No route speaks WebSocket (Gradio's page streams over HTTP): ws="none" spares every start
    # the import of uvicorn's WebSocket protocols (0.1-0.3 s).
    uvicorn.run(app, host=settings.web.host, port=settings.web.port, log_config=None, access_log=False,
                timeout_graceful_shutdown=5, proxy_headers=not settings.web.trusted_header.strip(), ws="none")


def hash_password(
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input instead of asking for it.")] = False,
) -> None:
    """Print an argon2id hash of a password, to put after `name:` in ASSISTANT_WEB_USERS."""
    from .passwords import hash_password as argon2_hash

    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        typer.echo("Error: the password is empty.", err=True)
        raise typer.Exit(2)
    typer.echo(argon2_hash(password))


feedback_app = typer.Typer(help="Feedback given in the web page, the API and Slack.", no_args_is_help=True)


@feedback_app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="YAML file to write; '-' for stdout.")]
    = DEFAULT_EXPORT,
) -> None:
    """Write every thumbs-down as a draft eval record (same shape as evals/golden.yaml)."""
    import yaml

    from ..storage.feedback import FeedbackStore
    from ..storage.servers import require

    settings = Settings()  # type: ignore[call-arg,unused-ignore]
    if settings.database_url is None and not settings.feedback_db.exists():
        typer.echo(f"No feedback yet: {settings.feedback_db} does not exist.", err=True)
        raise typer.Exit(1)
    try:
        require(settings, "database")
    except ServerDown as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    candidates = FeedbackStore.for_settings(settings).eval_candidates()
    text = yaml.safe_dump(candidates, allow_unicode=True, sort_keys=False, width=100)
    header = ("# Thumbs-down answers as draft eval records: fill in required_facts, check\n"
              "# supporting_docs and must_refuse, then move the good ones into evals/golden.yaml.\n")
    if str(output) == "-":
        typer.echo(header + text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(header + (text if candidates else "[]\n"), encoding="utf-8")
    typer.echo(f"{len(candidates)} thumbs-down answers written to {output}.")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("hash-password")(hash_password)
    app.add_typer(feedback_app, name="feedback")
