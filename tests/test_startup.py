"""What a start-up imports: nothing it does not use (issue 23, "Start in a second").

Structural, not timed: LangChain's runnables pull its tracers and LangSmith (half a second of every
start), so the ask path must not import them while LangChain tracing is off; an embedded index is
answered from its pointer file and mapped generation files, without Chroma (half a second more, with
its OpenTelemetry exporter); SQLAlchemy and Alembic belong to the database, which ``ask`` does not open;
``serve`` opens it but runs no Alembic when the schema is at its head.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.settings import Settings
from assistant.telemetry.tracing import langchain_tracing_on

QUESTION = "What share of companies have actually cut customer-service staff because of AI?"
# Runs ``assistant ask --json`` in this interpreter, then reports which heavy modules it imported.
ASK_AND_REPORT = """
import runpy, sys
sys.argv = ["assistant", "ask", "--json", sys.argv[1]]
try:
    runpy.run_module("assistant.cli", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(sorted(m for m in NOT_ON_THE_ASK_PATH if m in sys.modules))
"""
# Imported by nothing ``assistant ask`` runs on an embedded index of up to 20,000 passages.
NOT_ON_THE_ASK_PATH = ("langsmith", "langchain_core.runnables.base", "langchain_core.tracers.schemas",
                       "langchain_core.callbacks.manager", "langchain_core.embeddings", "gradio", "torch",
                       "transformers", "chromadb", "sqlalchemy", "alembic", "httpx", "authlib",
                       "opentelemetry.exporter.otlp.proto.grpc.trace_exporter", "opentelemetry.sdk")
# What ``assistant serve`` builds before it listens, on a database already at its head.
SERVE_AND_REPORT = """
import sys
from pathlib import Path
from assistant.api import Assistant
from assistant.settings import Settings
from assistant.storage.feedback import FeedbackStore
from assistant.web.server import create_app
settings = Settings()
FeedbackStore.for_settings(settings).close()  # the schema to its head, as a previous start left it
for name in [m for m in sys.modules if m.split(".")[0] == "alembic"]:
    del sys.modules[name]
create_app(settings, Assistant(settings), page_later=True)
from assistant.web import passwords
hashed = ["an argon2 hash"] if passwords._dummy_hash.cache_info().currsize else []  # a third of a second
print(sorted(m for m in ("alembic", "chromadb", "authlib", "gradio") if m in sys.modules) + hashed)
"""


def _clean_env(settings: Settings | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ASSISTANT_", "LANGSMITH_", "LANGCHAIN_"))}
    env.update({"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    if settings is not None:
        env.update({"ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_FEEDBACK_DB": str(settings.feedback_db)})
    return env


def test_importing_the_cli_and_the_api_leaves_langsmith_gradio_chroma_and_the_eval_out() -> None:
    code = ("import sys, assistant.cli, assistant.api; "
            "print(sorted(m for m in ('langsmith', 'langchain_core.runnables.base', 'gradio', 'chromadb', "
            "'assistant.evaluation.gate', 'assistant.ingest.loaders') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(),
                            timeout=300, check=True)
    assert result.stdout.strip() == "[]"


def test_the_ask_path_imports_no_tracer_nor_web_stack_nor_chroma_nor_database(
        assistant: object, corpus_settings: Settings) -> None:
    code = f"NOT_ON_THE_ASK_PATH = {NOT_ON_THE_ASK_PATH!r}\n{ASK_AND_REPORT}"
    result = subprocess.run([sys.executable, "-c", code, QUESTION], capture_output=True, text=True,
                            env=_clean_env(corpus_settings), timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    answer_line, imported = result.stdout.strip().splitlines()[-2:]
    assert '"citations": [{' in answer_line
    assert imported == "[]"


def test_serve_builds_its_app_without_alembic_chroma_or_the_sign_in_clients(
        assistant: object, corpus_settings: Settings) -> None:
    result = subprocess.run([sys.executable, "-c", SERVE_AND_REPORT], capture_output=True, text=True,
                            env=_clean_env(corpus_settings), timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("env", "expected"), [
    ({}, False),
    ({"LANGSMITH_TRACING": "true"}, True),
    ({"LANGCHAIN_TRACING_V2": "true"}, True),
    ({"LANGSMITH_TRACING_V2": "false", "LANGCHAIN_TRACING_V2": "true"}, False),  # LangSmith's own precedence
])
def test_langchain_tracing_follows_langsmiths_switches(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                       expected: bool) -> None:
    for name in ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING", "LANGCHAIN_TRACING_V2"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "langsmith", raising=False)
    assert langchain_tracing_on() is expected


def test_the_eval_commands_default_reports_folder_is_the_report_writers() -> None:
    from assistant.evaluation import commands, reports

    assert commands.DEFAULT_REPORTS_DIR == reports.DEFAULT_REPORTS_DIR
