"""The ``assistant`` command: a thin shell over ``Assistant``."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import models
from .errors import AssistantError, IndexUnavailable, QuestionError, ServerDown
from .models import Answer, DocumentInfo, IndexInfo
from .settings import Settings

if TYPE_CHECKING:
    from .storage.conversations import ConversationStore

app = typer.Typer(help="Cited answers on AI in outsourcing, from a curated corpus.",
                  no_args_is_help=True, add_completion=False)

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def require_servers(settings: Settings, *names: str) -> None:
    """Stop at once, with one sentence, when a shared server this command needs does not answer."""
    from .storage.servers import require

    try:
        require(settings, *names)
    except ServerDown as error:
        raise fail(str(error)) from None


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: corpus/).")] = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the index and build it from scratch.")] = False,
) -> None:
    """Add new and changed documents to the index; remove deleted ones."""
    from .api import Assistant

    settings = Settings()
    require_servers(settings, "chroma", "redis")  # the index, and the lock replicas share
    assistant = Assistant(settings)
    try:
        report = assistant.ingest(paths or None, progress=sys.stderr.isatty(), rebuild=rebuild,
                                  on_skip=lambda s: typer.echo(f"skipped: {s.reason}", err=True))
    except IndexUnavailable as error:
        raise fail(str(error)) from None
    typer.echo(report.summary())


def _answer_json(answer: object) -> str:
    return json.dumps(answer.public(), ensure_ascii=False)  # type: ignore[attr-defined]


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, or '-' to read one per line from stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer object as JSON.")] = False,
) -> None:
    """Answer one question (or one per line of stdin with '-')."""
    from .startup import preload

    settings = Settings()
    preload(settings)  # the model loads while the Assistant API is imported
    from .api import Assistant, clean_question

    questions = sys.stdin.read().splitlines() if question == "-" else [question]
    if question != "-":
        try:
            clean_question(question, settings.max_question_chars)
        except QuestionError as error:
            raise fail(str(error)) from None
    require_servers(settings, "chroma")
    assistant = Assistant(settings)
    try:
        assistant.warm_up()
    except IndexUnavailable as error:
        raise fail(str(error)) from None
    for line in questions:
        if question == "-" and not line.strip():
            continue
        try:
            answer = assistant.ask(line)
        except QuestionError as error:
            if question != "-":
                raise fail(str(error)) from None
            typer.echo(json.dumps({"question": line, "error": str(error)}, ensure_ascii=False))
            continue
        except IndexUnavailable as error:
            raise fail(str(error)) from None
        if as_json:
            typer.echo(_answer_json(answer))
        else:
            typer.echo(format_answer_text(answer))


def format_answer_text(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.title} ({c.locator}) {c.source}".rstrip())
            lines.append(f"    « {c.quote} »")
    return "\n".join(lines)


def after_draft(draft: str, answer: Answer) -> str:
    """What to print after a streamed draft: the sources when the checked answer kept the draft, else
    the checked answer in full under a line that says so (and the whole answer when there was no draft)."""
    return models.after_draft(draft, answer, format_answer_text(answer))


@app.command("chat")
def chat_command() -> None:
    """Chat in the terminal; follow-up questions use the conversation."""
    from .startup import preload

    settings = Settings()
    preload(settings)  # the model loads while the Assistant API is imported
    from .api import Assistant
    from .models import Turn

    require_servers(settings, "chroma")
    assistant = Assistant(settings)
    try:
        assistant.warm_up()
    except IndexUnavailable as error:
        raise fail(str(error)) from None
    history: list[Turn] = []
    typer.echo("Ask a question about AI in outsourcing (French or English). Ctrl-D to quit.")
    while True:
        try:
            question = input("\n> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if question.strip() in {"/quit", "/exit"}:
            return
        draft = ""
        try:
            with assistant.ask_stream(question, history) as stream:
                for piece in stream:  # the LLM's draft as it writes (none in extractive mode)
                    typer.echo(piece, nl=False)
                    draft += piece
                answer = stream.answer()
        except (QuestionError, IndexUnavailable) as error:
            typer.echo(f"Error: {error}")
            continue
        typer.echo(after_draft(draft, answer))
        history += [Turn(role="user", content=question), Turn(role="assistant", content=answer.answer)]


@app.command("corpus")
def corpus_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the documents as JSON.")] = False,
) -> None:
    """List the indexed documents by topic, with date, language and confidence."""
    from .api import Assistant

    settings = Settings()
    require_servers(settings, "chroma")
    try:
        info = Assistant(settings).index_info()
    except IndexUnavailable as error:
        raise fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps([d.model_dump(exclude={"path"}) for d in info.documents], ensure_ascii=False))
        return
    typer.echo(format_corpus(info))


def format_corpus(info: IndexInfo) -> str:
    by_topic: dict[str, list[DocumentInfo]] = {}
    for document in sorted(info.documents, key=lambda d: (d.topic or "~", d.doc_id)):
        by_topic.setdefault(document.topic or "(no topic)", []).append(document)
    lines = [f"{len(info.documents)} documents, {info.passages} passages, {len(by_topic)} topics"]
    for topic, documents in by_topic.items():
        lines.append(f"\n{topic} ({len(documents)})")
        for d in documents:
            lines.append(f"  {d.date or '-':<10}  {d.language}  {d.confidence or '-':<11}  {d.title}")
    return "\n".join(lines)


# -- the manager's workflow: briefs and the corpus-gap report ------------------------------------
_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdwm]?)\s*$")
_PERIOD_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0, "m": 30.0, "": 1.0}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``30d``, ``12h``, ``2w``, ``3m`` (30-day months) before now, or a date such as ``2026-01-31``."""
    now = now or datetime.now(UTC)
    match = _PERIOD.match(value)
    if match:
        return now - timedelta(days=float(match.group(1)) * _PERIOD_DAYS[match.group(2)])
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"--since takes a period such as 30d, 12h, 2w or a date such as 2026-01-31, "
                   f"not '{value}'.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _conversations(settings: Settings) -> ConversationStore:
    from .storage.conversations import ConversationStore
    from .storage.feedback import FeedbackStore

    if settings.database_url is None and not settings.feedback_db.exists():
        raise fail(f"No conversations yet: {settings.feedback_db} does not exist.", 1)
    require_servers(settings, "database")
    return ConversationStore(FeedbackStore.for_settings(settings))


@app.command("conversations")
def conversations_command(
    limit: Annotated[int, typer.Option(help="How many, the latest first.")] = 30,
    channel: Annotated[str | None, typer.Option(help="Only 'web' or 'slack'.")] = None,
) -> None:
    """List the latest saved conversations (web and Slack) with their ids, for `assistant brief`."""
    listed = _conversations(Settings()).recent(limit, channel)
    for summary, owner in listed:
        typer.echo(f"{summary.id:>6}  {summary.channel:<5}  {summary.turns:>3} questions  "
                   f"{datetime.fromtimestamp(summary.updated, UTC):%Y-%m-%d %H:%M}  {owner or '-'}  {summary.title}")
    if not listed:
        typer.echo("No saved conversations.")


@app.command("brief")
def brief_command(
    conversation_id: Annotated[int, typer.Argument(help="The conversation's id (see `assistant conversations`).")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File to write (.pdf or .md); '-' prints Markdown.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="pdf or md (default: from --output, else pdf).")] = None,
) -> None:
    """Export a conversation as a strategy brief: questions, answers and numbered sources with their quotes."""
    from .api import Assistant

    chosen = fmt or ("md" if output is not None and (str(output) == "-" or output.suffix.lower() == ".md") else "pdf")
    if chosen not in {"pdf", "md"}:
        raise fail(f"--format is pdf or md, not '{chosen}'.")
    settings = Settings()
    conversation = _conversations(settings).get(conversation_id, owner=None)
    if conversation is None:
        raise fail(f"There is no conversation {conversation_id}.", 1)
    brief = Assistant(settings).workflow().export_brief(conversation, "md" if chosen == "md" else "pdf")
    if output is not None and str(output) == "-":
        typer.echo(brief.data.decode("utf-8"), nl=False)
        return
    target = output or Path(brief.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(brief.data)
    typer.echo(f"Brief of conversation {conversation_id} ({len(conversation.turns)} questions) written to {target}.")


@app.command("gaps")
def gaps_command(
    since: Annotated[str, typer.Option(help="Start of the period: 30d, 12h, 2w, 3m or a date.")] = "30d",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """The corpus-gap report: refused and thumbs-down questions of the period, grouped by topic."""
    from .api import Assistant

    settings = Settings()
    require_servers(settings, "chroma")
    start, end = parse_since(since), datetime.now(UTC)
    candidates = _conversations(settings).gap_candidates(start.timestamp(), end.timestamp())
    report = Assistant(settings).workflow().gap_report(candidates, start, end)
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else report.to_text())


# Front ends living in their own sub-packages add their commands through ``register(app)``.
_COMMAND_MODULES = (
    "assistant.web.commands",
    "assistant.slack.commands",
    "assistant.evaluation.commands",
    "assistant.storage.commands",
    "assistant.reader.commands",
)


def _register_commands() -> None:
    import importlib
    import importlib.util

    for name in _COMMAND_MODULES:
        if importlib.util.find_spec(name.rsplit(".", 1)[0]) and importlib.util.find_spec(name):
            importlib.import_module(name).register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except AssistantError as error:  # e.g. a server that went down after the start-up check: no traceback
        typer.echo(f"Error: {error}", err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":
    main()
