"""``assistant db``: migrate the database of turns, conversations and feedback (Alembic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

db_app = typer.Typer(help="The database of turns, conversations and feedback (ASSISTANT_DATABASE_URL).",
                     no_args_is_help=True)
EXIT_UNAVAILABLE = 2


def _on_database(act: Callable[..., None], *args: str) -> None:
    from sqlalchemy.exc import OperationalError

    from ..errors import DatabaseDown
    from ..settings import Settings
    from .database import current_revision, database_url, describe, head_revision, open_engine

    engine = open_engine(database_url(Settings()))
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


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
