"""Every exception a user may see, under one base: its message is one plain line for that user.

Front ends catch these without importing the core (Chroma, the embedding model, the chain):
this module imports nothing of the project.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every user-facing error; ``str(error)`` is one line that says why and what to do."""


# -- asking ----------------------------------------------------------------------------------
class QuestionError(AssistantError, ValueError):
    """The question cannot be asked as it is (empty, too long)."""


class IndexUnavailable(AssistantError):
    """The index cannot be used (none yet, corrupt, server down); the message says what to do."""


class Busy(AssistantError):
    """Every answering slot stayed taken for the whole wait."""


# -- configuration -----------------------------------------------------------------------------
class LLMConfigError(AssistantError, ValueError):
    """The LLM setting cannot be turned into a chat model."""


class SlackConfigError(AssistantError, ValueError):
    """The Slack settings cannot work; the message names the setting to fix."""


class ChannelConfigError(AssistantError, ValueError):
    """The Slack channel settings cannot be used; the message says where and why."""


# -- documents ----------------------------------------------------------------------------------
class LoadError(AssistantError):
    """A file was skipped at ingest; the message is the reason."""


class UploadError(AssistantError, ValueError):
    """An upload was refused."""


class UploadTooLarge(UploadError):
    """An upload is over the size limit."""


class UnknownDocument(AssistantError, ValueError):
    """A document named by id is not in the index (or not withdrawn, for a restore)."""


# -- evaluation ---------------------------------------------------------------------------------
class DatasetError(AssistantError, ValueError):
    """The golden set cannot be used; the message says which record and why."""


class BaselineError(AssistantError):
    """The eval baseline cannot be used; the message says why and what to do."""


class UnknownConfiguration(AssistantError, ValueError):
    """An eval comparison names a configuration that does not exist."""


class EvalFailure(AssistantError):
    """The eval cannot run (configuration or infrastructure): exit 2 with this message."""


# -- storage ------------------------------------------------------------------------------------
class StorageError(AssistantError):
    """The database of turns and feedback cannot be used; the message says which and what to do."""


class AlreadyRated(AssistantError, ValueError):
    """This person already gave this rating to this answer (a unique constraint said so)."""


class UnknownTurn(AssistantError, ValueError):
    """Feedback names an answer (turn id) that was never logged."""


# -- shared servers (PostgreSQL, Redis, the Chroma server) ----------------------------------------
class ServerDown(AssistantError):
    """A shared server cannot be reached. ``str(error)`` is the operator's sentence (the server, its
    address without password, the setting to check); ``public`` says it to a user without the address."""

    server = "server"
    what = "A server the assistant needs"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.public = f"{self.what} is not reachable right now; please try again in a few minutes."


class DatabaseDown(ServerDown):
    """PostgreSQL (``ASSISTANT_DATABASE_URL``) cannot be reached."""

    server = "database"
    what = "The database"


class RedisDown(ServerDown, IndexUnavailable):
    """Redis (``ASSISTANT_REDIS_URL``) cannot be reached; only the ingest lock needs it, so it is also an
    ``IndexUnavailable`` (the index cannot be changed)."""

    server = "redis"
    what = "The shared Redis server"


class ChromaDown(ServerDown, IndexUnavailable):
    """The Chroma server (``CHROMA_HOST``, ``CHROMA_PORT``) cannot be reached."""

    server = "chroma"
    what = "The document index (the Chroma server)"
