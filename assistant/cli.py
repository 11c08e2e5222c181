"""The ``assistant`` command: a thin shell over ``Assistant``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import IndexUnavailable, QuestionError
from .models import DocumentInfo, IndexInfo
from .settings import Settings

app = typer.Typer(help="Cited answers on AI in outsourcing, from a curated corpus.",
                  no_args_is_help=True, add_completion=False)

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: corpus/).")] = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the index and build it from scratch.")] = False,
) -> None:
    """Add new and changed documents to the index; remove deleted ones."""
    from .api import Assistant

    assistant = Assistant(Settings())
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
    from .api import Assistant, clean_question

    settings = Settings()
    questions = sys.stdin.read().splitlines() if question == "-" else [question]
    if question != "-":
        try:
            clean_question(question, settings.max_question_chars)
        except QuestionError as error:
            raise fail(str(error)) from None
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


def format_answer_text(answer: object) -> str:
    from .models import Answer

    assert isinstance(answer, Answer)
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.title} ({c.locator}) {c.source}".rstrip())
            lines.append(f"    « {c.quote} »")
    return "\n".join(lines)


@app.command("chat")
def chat_command() -> None:
    """Chat in the terminal; follow-up questions use the conversation."""
    from .api import Assistant
    from .models import Turn

    assistant = Assistant(Settings())
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
        try:
            answer = assistant.ask(question, history)
        except (QuestionError, IndexUnavailable) as error:
            typer.echo(f"Error: {error}")
            continue
        typer.echo(format_answer_text(answer))
        history += [Turn(role="user", content=question), Turn(role="assistant", content=answer.answer)]


@app.command("corpus")
def corpus_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the documents as JSON.")] = False,
) -> None:
    """List the indexed documents by topic, with date, language and confidence."""
    from .api import Assistant

    try:
        info = Assistant(Settings()).index_info()
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


# Front ends living in their own sub-packages add their commands through ``register(app)``.
_COMMAND_MODULES = (
    "assistant.web.commands",
    "assistant.slack.commands",
    "assistant.evaluation.commands",
    "assistant.storage.commands",
)


def _register_commands() -> None:
    import importlib
    import importlib.util

    for name in _COMMAND_MODULES:
        if importlib.util.find_spec(name.rsplit(".", 1)[0]) and importlib.util.find_spec(name):
            importlib.import_module(name).register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
