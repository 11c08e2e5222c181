"""``assistant slack``: run the Slack bot in Socket Mode."""

from __future__ import annotations

import typer

EXIT_BAD_CONFIG = 2


def register(app: typer.Typer) -> None:
    app.command("slack")(slack_command)


def slack_command() -> None:
    """Run the Slack bot in Socket Mode (needs the bot token and an app-level xapp- token)."""
    from ..errors import ChannelConfigError, IndexUnavailable, ServerDown, SlackConfigError, StorageError
    from ..logs import configure_logging
    from ..settings import Settings
    from .socket_mode import check_tokens, run

    settings = Settings()  # type: ignore[call-arg]  # fields have defaults; mypy lacks the pydantic plugin
    try:
        check_tokens(settings)
        configure_logging(settings.log_format, settings.log_level)
        run(settings)
    except (SlackConfigError, ChannelConfigError, IndexUnavailable, ServerDown, StorageError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_CONFIG) from None
    except KeyboardInterrupt:
        typer.echo("Slack bot stopped.", err=True)
