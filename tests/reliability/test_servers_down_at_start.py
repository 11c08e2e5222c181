"""Every front end started with a shared server that is down: one sentence naming the server and its
setting (the password masked), a non-zero exit, and no traceback.

The addresses are free loopback ports nobody listens on, so the connection is refused at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.reliability

PASSWORD = "s3cret-pw"


def dead(server: str) -> tuple[dict[str, str], str]:
    """The environment pointing at a dead ``server``, and the sentence expected on stderr."""
    port = free_port()
    if server == "database":
        return ({"ASSISTANT_DATABASE_URL": f"postgresql://app:{PASSWORD}@127.0.0.1:{port}/assistant"},
                f"The database at postgresql://app:***@127.0.0.1:{port}/assistant is not reachable: "
                "check ASSISTANT_DATABASE_URL.")
    if server == "redis":
        return ({"ASSISTANT_REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:{port}/0"},
                f"Redis at redis://127.0.0.1:{port}/0 is not reachable: check ASSISTANT_REDIS_URL.")
    return ({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)},
            f"The Chroma server at http://127.0.0.1:{port} is not reachable: check CHROMA_HOST and CHROMA_PORT.")


def run(tmp_path: Path, args: list[str], extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ASSISTANT_", "SLACK_", "OTEL_")) and k not in {"CHROMA_HOST", "CHROMA_PORT"}}
    env.update({
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"), "ASSISTANT_FEEDBACK_DB": str(tmp_path / "f.sqlite3"),
        "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"), "ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus"),
        "ASSISTANT_SLACK_BOT_TOKEN": "xoxb-1-2-abc", "ASSISTANT_SLACK_APP_TOKEN": "xapp-1-A1-2-abc",
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False", **extra,
    })
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)


CASES = [
    (["serve", "--host", "127.0.0.1", "--port", "1"], "database"),
    (["serve", "--host", "127.0.0.1", "--port", "1"], "redis"),
    (["serve", "--host", "127.0.0.1", "--port", "1"], "chroma"),
    (["slack"], "database"),
    (["slack"], "redis"),
    (["slack"], "chroma"),
    (["ask", "What share of companies cut staff?"], "chroma"),
    (["ingest"], "redis"),
    (["conversations"], "database"),
    (["feedback", "export", "-o", "-"], "database"),
    (["db", "current"], "database"),
]


@pytest.mark.parametrize(("args", "server"), CASES, ids=[f"{a[0]}-{s}" for a, s in CASES])
def test_a_front_end_started_with_a_server_down_says_one_sentence(tmp_path: Path, args: list[str],
                                                                  server: str) -> None:
    environment, sentence = dead(server)
    done = run(tmp_path, args, environment)
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip() == f"Error: {sentence}", done.stderr
    assert PASSWORD not in done.stderr + done.stdout
