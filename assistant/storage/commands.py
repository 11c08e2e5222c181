"""``assistant db``: migrate the database of turns, conversations and feedback (Alembic), or copy it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

db_app = typer.Typer(help="The database of turns, conversations and feedback (ASSISTANT_DATABASE_URL).",
                     no_args_is_help=True)
EXIT_UNAVAILABLE = 2
EXIT_COUNTS_DIFFER = 1
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C


def _on_database(act: Callable[..., None], *args: str) -> None:
    from sqlalchemy.exc import OperationalError

    from ..errors import DatabaseDown
    from ..settings import Settings
    from .database import current_revision, database_url, describe, head_revision, open_engine, report_server_down

    engine = open_engine(database_url(Settings()))
    report_server_down(engine)
    try:
        act(engine, *args)
        revision = current_revision(engine)
    except DatabaseDown as error:  # the server does not answer: the sentence names it and the setting
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else error.__class__.__name__
        typer.echo(f"Error: the database {describe(engine)} cannot be used ({reason}).", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    finally:
        engine.dispose()
    typer.echo(f"{describe(engine)}: at revision {revision or 'none'} (newest: {head_revision()}).")


@db_app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="Revision to reach.")] = "head") -> None:
    """Upgrade the schema (`assistant serve` and `assistant slack` also do it when they start)."""
    from .database import migrate

    _on_database(migrate, revision)


@db_app.command("downgrade")
def downgrade(revision: Annotated[str, typer.Argument(help="Revision to go back to ('base': no tables).")]) -> None:
    """Take the schema back to an older revision; what later revisions added is dropped."""
    from .database import downgrade as run_downgrade

    _on_database(run_downgrade, revision)


@db_app.command("current")
def current() -> None:
    """Print the database's revision and the newest one this version knows."""
    _on_database(lambda engine: None)


@db_app.command("copy")
def copy(
    source: Annotated[str, typer.Argument(help="The database to read: an SQLite file's path or URL, "
                                               "or postgresql://...")],
    target: Annotated[str, typer.Argument(help="The database to fill, migrated to the newest revision first; "
                                               "e.g. postgresql://user:password@host/database.")],
    resume: Annotated[bool, typer.Option("--resume", help="Write into a target that already holds rows, to finish "
                                                          "an interrupted copy: rows whose id is there are kept, "
                                                          "the others added.")] = False,
    batch_rows: Annotated[int | None, typer.Option(min=1, help="Rows per transaction (default 500).")] = None,
) -> None:
    """Copy every row of SOURCE into TARGET (e.g. the SQLite file into PostgreSQL), then compare the row counts."""
    from .transfer import BATCH_ROWS, CopyError, copy_database

    def progress(table: str, done: int) -> None:
        typer.echo(f"{table}: {done} rows read", err=True)

    try:
        report = copy_database(source, target, resume=resume, batch_rows=batch_rows or BATCH_ROWS, after_batch=progress)
    except CopyError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    except KeyboardInterrupt:
        typer.echo("Error: the copy was interrupted; the batches already written are kept: run the same command "
                   "with --resume to finish.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    typer.echo(report.to_text())
    if not report.complete:
        raise typer.Exit(EXIT_COUNTS_DIFFER)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
