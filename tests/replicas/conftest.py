"""Two ``assistant serve`` processes on two ports sharing one Chroma server, one PostgreSQL, one Redis.

The replicas are real child processes started with the environment a deployment gives them
(``CHROMA_HOST``, ``ASSISTANT_DATABASE_URL``, ``ASSISTANT_REDIS_URL``, the Slack settings), and a
Slack Web API stand-in in this process; everything is stopped at the end of the module.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from tests.index.test_chroma_server import start_chroma
from tests.servers import PostgresServer, RedisServer, free_port, postgres, redis_server
from tests.slack.standin import BOT_TOKEN, SlackStandIn
from tests.stress.load import SIGNING_SECRET
from tests.support import CORPUS, make_settings

DOCUMENTS = ("facts/gartner-headcount-survey.en.md", "facts/kenya-bpo.en.md", "facts/ghana-outsourcing.en.md")
_START_TIMEOUT_S = 180


@dataclass
class Replica:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Cluster:
    replicas: list[Replica]
    database_url: str
    redis: RedisServer
    postgres: PostgresServer
    slack_api: SlackStandIn
    upload_dir: Path
    env: dict[str, str] = field(default_factory=dict)


def replica_env(tmp: Path, chroma_port: int, database_url: str, redis_url: str,
                slack_api: SlackStandIn) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ASSISTANT_", "SLACK_", "OTEL_")) and k not in {"CHROMA_HOST", "CHROMA_PORT",
                                                                                "OPENAI_API_KEY"}}
    env.update({
        "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port),
        "ASSISTANT_DATABASE_URL": database_url, "ASSISTANT_REDIS_URL": redis_url,
        "ASSISTANT_CORPUS_DIR": str(tmp / "corpus"), "ASSISTANT_UPLOAD_DIR": str(tmp / "uploads"),
        "ASSISTANT_INDEX_DIR": str(tmp / "unused-index"), "ASSISTANT_FEEDBACK_DB": str(tmp / "unused.sqlite3"),
        "ASSISTANT_SLACK_BOT_TOKEN": BOT_TOKEN, "ASSISTANT_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ASSISTANT_SLACK_API_BASE_URL": slack_api.base_url,
        "ASSISTANT_SLACK_USER_RATE_LIMIT": "100000", "ASSISTANT_SLACK_CHANNEL_RATE_LIMIT": "100000",
        "ASSISTANT_LOG_FORMAT": "json", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
    })
    return env


def start_replica(name: str, tmp: Path, env: dict[str, str]) -> Replica:
    port = free_port()
    log = tmp / f"replica-{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1",
                                    "--port", str(port)], cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Replica(name, f"http://127.0.0.1:{port}", process, log)


def wait_healthy(replica: Replica) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    with httpx.Client(timeout=5, trust_env=False) as http:
        while time.monotonic() < deadline:
            if not replica.alive():
                raise RuntimeError(f"replica {replica.name} exited: {replica.log.read_text()[-2000:]}")
            try:
                if http.get(f"{replica.url}/api/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    raise RuntimeError(f"replica {replica.name} did not become healthy: {replica.log.read_text()[-2000:]}")


def prepare_replica_folder(tmp: Path) -> Path:
    """A small corpus (``DOCUMENTS``) and an empty upload folder under ``tmp``, as replicas share them;
    the corpus folder."""
    corpus = tmp / "corpus"
    corpus.mkdir()
    (tmp / "uploads").mkdir()
    for name in DOCUMENTS:
        shutil.copy(CORPUS / name, corpus / Path(name).name)
    return corpus


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("replicas")
    corpus = prepare_replica_folder(tmp)
    chroma_port = free_port()
    chroma = start_chroma(tmp / "chroma-data", chroma_port)
    slack_api = SlackStandIn().start()
    replicas: list[Replica] = []
    try:
        with postgres() as pg, redis_server() as redis:
            database_url = pg.new_database("replicas")
            env = replica_env(tmp, chroma_port, database_url, redis.url(), slack_api)
            # the index is built once, before the replicas start (as the image's entry point does)
            Assistant(make_settings(tmp / "ingest", corpus_dir=corpus, upload_dir=tmp / "uploads",
                                    chroma_host="127.0.0.1", chroma_port=chroma_port)).ingest()
            replicas = [start_replica(name, tmp, env) for name in ("a", "b")]
            for replica in replicas:
                wait_healthy(replica)
            yield Cluster(replicas=replicas, database_url=database_url, redis=redis, postgres=pg,
                          slack_api=slack_api, upload_dir=tmp / "uploads", env=env)
            for replica in replicas:
                replica.stop()
    finally:
        for replica in replicas:
            replica.stop()
        slack_api.stop()
        chroma.terminate()
        chroma.wait(timeout=30)
