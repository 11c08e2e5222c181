"""Same code against a real ``chroma run`` server on loopback (CHROMA_HOST / CHROMA_PORT)."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from assistant.errors import IndexUnavailable
from assistant.index.use_cache import CACHE_DIR_NAME
from assistant.settings import Settings
from tests.support import CORPUS, make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("chroma server did not start")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    process = start_chroma(tmp_path / "server-data", port)
    yield port, tmp_path / "server-data"
    process.terminate()
    process.wait(timeout=30)


def server_settings(tmp_path: Path, port: int) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name in ("facts/ghana-outsourcing.en.md", "facts/ghana-outsourcing.fr.md", "facts/kenya-bpo.en.md"):
        shutil.copy(CORPUS / name, corpus / Path(name).name)
    return make_settings(tmp_path, corpus_dir=corpus, chroma_host="127.0.0.1", chroma_port=port)


def test_ingest_and_answer_through_a_chroma_server(tmp_path: Path, chroma_server: tuple[int, Path]) -> None:
    port, _ = chroma_server
    settings = server_settings(tmp_path, port)
    assistant = Assistant(settings)
    report = assistant.ingest()
    assert report.published and report.chunks_embedded > 0
    # No embedded Chroma: the folder holds only the generation's retrieval files, for the replicas to map
    # (and the embedding model's fast-loading copy, when this process loaded the model first).
    assert {p.name for p in (tmp_path / "index").iterdir()} - {CACHE_DIR_NAME} == {"generations"}
    assert [p.name for p in (tmp_path / "index" / "generations").iterdir()] == [report.generation]

    answer = assistant.ask("How many outsourcing jobs does Ghana's plan aim to create?")
    assert not answer.refused
    assert any(c.doc_id.startswith("ghana") and "100,000" in c.quote for c in answer.citations)

    again = Assistant(settings).ingest()
    assert again.chunks_embedded == 0 and not again.published


def test_server_down_gives_a_clear_message_and_recovers(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "server-data"
    process = start_chroma(data, port)
    settings = server_settings(tmp_path, port)
    assistant = Assistant(settings)
    assistant.ingest()
    question = "How many outsourcing jobs does Ghana's plan aim to create?"
    assert not assistant.ask(question).refused

    process.terminate()
    process.wait(timeout=30)

    time.sleep(1.1)  # past the pointer re-check interval
    with pytest.raises(IndexUnavailable, match=r"not reachable|not answering"):
        assistant.ask(question)

    process = start_chroma(data, port)
    try:
        time.sleep(1.1)
        assert not assistant.ask(question).refused
    finally:
        process.terminate()
        process.wait(timeout=30)
